import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  environment,
  healthySnapshot,
  serviceOf,
  taskDefinitionSummary,
} from '../__fixtures__/snapshots';
import { EnvironmentTier } from '../types';
import { ContainerImageRef } from '../workloadTypes';
import { isMutableImageRef, isSecretLikeName } from './workloadRules';

function snapshotWithShopApi(
  tier: EnvironmentTier,
  change: (
    container: ReturnType<typeof taskDefinitionSummary>['containers'][number],
  ) => void,
) {
  const snapshot = healthySnapshot(tier);
  const shopApi = serviceOf(snapshot, 'shop-api');
  const taskDefinition = taskDefinitionSummary(environment(tier), 'shop-api');
  change(taskDefinition.containers[0]);
  shopApi.taskDefinitions = [taskDefinition];
  return snapshot;
}

function image(overrides: Partial<ContainerImageRef>): ContainerImageRef {
  return {
    image: 'nginx',
    registry: 'docker.io',
    repository: 'library/nginx',
    ...overrides,
  };
}

describe('workload rules', () => {
  it('find nothing in the healthy snapshots, whose task definitions are clean', () => {
    expect(problemsOf(healthySnapshot('production'))).toEqual([]);
    expect(problemsOf(healthySnapshot('development'))).toEqual([]);
  });

  describe('isSecretLikeName', () => {
    it.each([
      'DB_PASSWORD',
      'dbPassword',
      'db-passwd',
      'STRIPE_API_KEY',
      'stripeApiKey',
      'APIKEY',
      'JWT_SECRET',
      'SECRET_KEY_BASE',
      'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN',
      'TOKEN',
      'SSH_PRIVATE_KEY',
      'GOOGLE_CREDENTIALS',
      'SMTP_CREDENTIAL',
      'S3_ACCESS_KEY',
      'GPG_PASSPHRASE',
    ])('%s looks like a secret', name => {
      expect(isSecretLikeName(name)).toBe(true);
    });

    it.each([
      'TOKENIZER_MODE',
      'MONKEY_PATCH',
      'KEYCLOAK_URL',
      'SECRETARY_EMAIL',
      'PASSWORDLESS_LOGIN',
      'CACHE_KEY',
      'PWD',
      'DB_PASSWORD_FILE',
      'JWT_SECRET_ARN',
      'APP_SECRET_NAME',
      'TOKEN_TTL',
      'AWS_ACCESS_KEY_ID',
      'OAUTH_TOKEN_URL',
      'LOG_LEVEL',
      '',
    ])('%s does not', name => {
      expect(isSecretLikeName(name)).toBe(false);
    });
  });

  describe('plaintext secrets', () => {
    it.each([
      ['production', 'high'],
      ['development', 'medium'],
    ] as const)('in %s are %s, named but never valued', (tier, severity) => {
      const snapshot = snapshotWithShopApi(tier, container => {
        container.environmentNames = [
          'DB_PASSWORD',
          'LOG_LEVEL',
          'STRIPE_API_KEY',
          'TOKENIZER_MODE',
        ];
      });
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'plaintext-secrets',
      );
      expect(problem).toMatchObject({
        id: `${tier}/service/shop-api/plaintext-secrets`,
        area: 'workload',
        severity,
        serviceName: 'shop-api',
        resource: `arn:aws:ecs:eu-west-1:${
          environment(tier).accountId
        }:task-definition/shop-api:42`,
        title: 'shop-api has 2 secrets in plaintext environment variables',
      });
      expect(problem.explanation).toContain(
        'Task definition shop-api:42 sets DB_PASSWORD (container shop-api), STRIPE_API_KEY (container shop-api) as plaintext environment variables.',
      );
      expect(problem.explanation).not.toContain('TOKENIZER_MODE');
      expect(problem.proposedFix).toContain(
        `aws ssm put-parameter --name /kler/${tier}/shop-api/DB_PASSWORD --type SecureString`,
      );
      expect(problem.proposedFix).toContain(
        `add "DB_PASSWORD", "STRIPE_API_KEY" to \`services.shop-api.secrets\` in \`environments/${tier}\``,
      );
    });

    it('do not fire for secrets injected from Parameter Store, nor without task definitions', () => {
      const snapshot = snapshotWithShopApi('production', container => {
        container.environmentNames = ['LOG_LEVEL'];
        container.secrets.push({
          name: 'DB_PASSWORD',
          source: 'ssm',
          reference: '/kler/production/shop-api/DB_PASSWORD',
        });
      });
      expect(problemsOf(snapshot)).toEqual([]);
      const unread = healthySnapshot('production');
      serviceOf(unread, 'shop-api').taskDefinitions = undefined;
      expect(problemsOf(unread)).toEqual([]);
    });

    it('judge the primary deployment only: a fix clears it while the old tasks drain', () => {
      const env = environment('production');
      const snapshot = healthySnapshot('production');
      const old = taskDefinitionSummary(env, 'shop-api', { revision: 41 });
      old.containers[0].environmentNames = ['DB_PASSWORD'];
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.taskDefinitions = [taskDefinitionSummary(env, 'shop-api'), old];
      expect(problemsOf(snapshot)).toEqual([]);
      shopApi.taskDefinitions.reverse();
      expect(problemsOf(snapshot).map(p => p.id)).toEqual([
        'production/service/shop-api/plaintext-secrets',
      ]);
    });
  });

  describe('no redundancy', () => {
    it('a production service with one task is high', () => {
      const snapshot = healthySnapshot('production');
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.desiredCount = 1;
      shopApi.runningCount = 1;
      shopApi.tasks = shopApi.tasks.slice(0, 1);
      const problem = problemWithSuffix(problemsOf(snapshot), 'single-task');
      expect(problem).toMatchObject({
        id: 'production/service/shop-api/single-task',
        area: 'workload',
        severity: 'high',
        resource: shopApi.serviceArn,
      });
      expect(problem.explanation).toContain(
        'desired count is 1 (scalable target minimum 1, maximum 6)',
      );
      expect(problem.proposedFix).toContain(
        'set `services.shop-api.desired_min` to 2 in `environments/production`',
      );
      expect(problem.proposedFix).toContain(
        'aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/kler-production/shop-api --min-capacity 2',
      );
    });

    it('all running tasks in one zone is high', () => {
      const snapshot = healthySnapshot('production');
      const shopApi = serviceOf(snapshot, 'shop-api');
      for (const task of shopApi.tasks) {
        task.availabilityZone = 'eu-west-1b';
      }
      const problem = problemWithSuffix(problemsOf(snapshot), 'single-zone');
      expect(problem).toMatchObject({
        id: 'production/service/shop-api/single-zone',
        area: 'workload',
        severity: 'high',
      });
      expect(problem.explanation).toBe(
        'All 2 running tasks of the service are in eu-west-1b: if that zone fails, the service is down.',
      );
      expect(problem.proposedFix).toContain(
        'aws ecs update-service --cluster kler-production --service shop-api --placement-strategy type=spread,field=attribute:ecs.availability-zone',
      );
    });

    it('is not judged in development, at zero tasks, with a zone unknown, or while running tasks are pending', () => {
      const development = healthySnapshot('development');
      expect(serviceOf(development, 'order-worker').desiredCount).toBe(1);
      for (const task of serviceOf(development, 'shop-api').tasks) {
        task.availabilityZone = 'eu-west-1a';
      }
      expect(problemsOf(development)).toEqual([]);

      const scaledToZero = healthySnapshot('production');
      const worker = serviceOf(scaledToZero, 'order-worker');
      worker.desiredCount = 0;
      worker.runningCount = 0;
      worker.deployments[0].desiredCount = 0;
      worker.deployments[0].runningCount = 0;
      worker.tasks = [];
      expect(problemsOf(scaledToZero)).toEqual([]);

      const unknownZone = healthySnapshot('production');
      const tasks = serviceOf(unknownZone, 'shop-api').tasks;
      tasks[0].availabilityZone = 'eu-west-1a';
      tasks[1].availabilityZone = undefined;
      expect(problemsOf(unknownZone)).toEqual([]);

      const pending = healthySnapshot('production');
      pending.pending = ['runningTasks'];
      for (const task of serviceOf(pending, 'shop-api').tasks) {
        task.availabilityZone = 'eu-west-1a';
      }
      expect(problemsOf(pending)).toEqual([]);
    });
  });

  describe('mutable image tags', () => {
    it.each([
      ['nginx:latest', image({ tag: 'latest' }), true],
      ['nginx', image({}), true],
      ['nginx:1.4.2', image({ tag: '1.4.2' }), false],
      [
        'nginx:latest@sha256:abc',
        image({ tag: 'latest', digest: 'sha256:abc' }),
        false,
      ],
      ['nginx@sha256:abc', image({ digest: 'sha256:abc' }), false],
    ])('%s is mutable: %p', (_name, ref, mutable) => {
      expect(isMutableImageRef(ref)).toBe(mutable);
    });

    it('fire as medium in both tiers, proposing the digest that runs', () => {
      for (const tier of ['production', 'development'] as const) {
        const { accountId } = environment(tier);
        const registry = `${accountId}.dkr.ecr.eu-west-1.amazonaws.com`;
        const snapshot = snapshotWithShopApi(tier, container => {
          container.image = {
            image: `${registry}/kler/shop-api:latest`,
            registry,
            repository: 'kler/shop-api',
            tag: 'latest',
            ecrAccountId: accountId,
          };
        });
        const shopApi = serviceOf(snapshot, 'shop-api');
        shopApi.tasks[0].containers[0].imageDigest = `sha256:${'a'.repeat(64)}`;
        const problem = problemWithSuffix(
          problemsOf(snapshot),
          'mutable-image-tag',
        );
        expect(problem).toMatchObject({
          id: `${tier}/service/shop-api/mutable-image-tag`,
          area: 'workload',
          severity: 'medium',
        });
        expect(problem.explanation).toContain(
          `runs ${registry}/kler/shop-api:latest (container shop-api)`,
        );
        expect(problem.proposedFix).toContain(
          `${registry}/kler/shop-api@sha256:${'a'.repeat(64)}`,
        );
        expect(problem.proposedFix).toContain(
          'aws ecr put-image-tag-mutability --repository-name kler/shop-api --image-tag-mutability IMMUTABLE',
        );
      }
    });
  });

  describe('images from outside the account', () => {
    it.each([
      ['production', 'medium'],
      ['development', 'low'],
    ] as const)('in %s are %s', (tier, severity) => {
      const snapshot = snapshotWithShopApi(tier, container => {
        container.image = image({ image: 'nginx:1.27', tag: '1.27' });
      });
      const problem = problemWithSuffix(problemsOf(snapshot), 'external-image');
      expect(problem).toMatchObject({
        id: `${tier}/service/shop-api/external-image`,
        area: 'workload',
        severity,
      });
      const registry = `${
        environment(tier).accountId
      }.dkr.ecr.eu-west-1.amazonaws.com`;
      expect(problem.explanation).toContain(
        `pulls nginx:1.27 (container shop-api), not from ${registry}`,
      );
      expect(problem.proposedFix).toContain(
        `docker tag nginx:1.27 ${registry}/library/nginx:1.27`,
      );
    });

    it("counts another account's or region's ECR as outside", () => {
      const snapshot = snapshotWithShopApi('production', container => {
        container.image = {
          ...container.image,
          registry: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
          ecrAccountId: '111111111111',
        };
      });
      expect(problemsOf(snapshot).map(p => p.id)).toEqual([
        'production/service/shop-api/external-image',
      ]);
      const otherRegion = snapshotWithShopApi('production', container => {
        container.image = {
          ...container.image,
          registry: '222222222222.dkr.ecr.us-east-1.amazonaws.com',
        };
      });
      expect(problemsOf(otherRegion).map(p => p.id)).toEqual([
        'production/service/shop-api/external-image',
      ]);
    });
  });
});
