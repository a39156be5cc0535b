import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  efsArn,
  environment,
  healthySnapshot,
  imageDigestOf,
  serviceOf,
  taskDefinitionSummary,
} from '../__fixtures__/snapshots';
import { EnvironmentSnapshot, EnvironmentTier } from '../types';
import { FileSystemSummary } from '../workloadTypes';

/**
 * The healthy snapshot with its task definitions and what they point at, all
 * clean: every secret's parameter exists, every running digest is scanned
 * without findings, one encrypted file system mounted in every zone.
 */
function snapshotWithResources(tier: EnvironmentTier): EnvironmentSnapshot {
  const snapshot = healthySnapshot(tier);
  const env = environment(tier);
  for (const service of snapshot.services) {
    service.taskDefinitions = [taskDefinitionSummary(env, service.serviceName)];
  }
  const references = snapshot.services.flatMap(s =>
    s.taskDefinitions![0].containers.flatMap(c =>
      c.secrets.map(secret => secret.reference),
    ),
  );
  snapshot.workloadResources = {
    secretParameters: { checked: references, missing: [] },
    imageScans: snapshot.services.map(s => ({
      repositoryName: `kler/${s.serviceName}`,
      imageDigest: imageDigestOf(s.serviceName),
      status: 'complete' as const,
      critical: 0,
      high: 0,
      completedAt: '2026-11-20T10:00:00.000Z',
    })),
    fileSystems: [fileSystem(tier)],
  };
  return snapshot;
}

function fileSystem(
  tier: EnvironmentTier,
  overrides: Partial<FileSystemSummary> = {},
): FileSystemSummary {
  const region = environment(tier).region;
  return {
    fileSystemId: 'fs-0123456789abcdef0',
    fileSystemArn: efsArn(environment(tier)),
    name: 'shop-media',
    encrypted: true,
    mountTargetZones: [`${region}a`, `${region}b`, `${region}c`],
    ...overrides,
  };
}

describe('workload findings rules', () => {
  it('find nothing when every secret exists, images are clean and file systems are encrypted and mounted everywhere', () => {
    expect(problemsOf(snapshotWithResources('production'))).toEqual([]);
    expect(problemsOf(snapshotWithResources('development'))).toEqual([]);
  });

  describe('missing-secret-parameter', () => {
    it('names the secret whose SSM parameter does not exist, high in production', () => {
      const snapshot = snapshotWithResources('production');
      snapshot.workloadResources!.secretParameters!.missing = [
        '/kler/production/shop-api/APP_SECRET',
      ];
      const problems = problemsOf(snapshot);
      expect(problems).toHaveLength(1);
      const problem = problemWithSuffix(
        problems,
        'service/shop-api/missing-secret-parameter',
      );
      expect(problem).toMatchObject({
        area: 'workload',
        severity: 'high',
        serviceName: 'shop-api',
        title: 'shop-api references 1 SSM parameter that does not exist',
      });
      expect(problem.explanation).toContain(
        'APP_SECRET from /kler/production/shop-api/APP_SECRET (container shop-api)',
      );
      expect(problem.proposedFix).toContain(
        'aws ssm put-parameter --name /kler/production/shop-api/APP_SECRET --type SecureString',
      );
      expect(problem.proposedFix).toContain('services.shop-api.secrets');
    });

    it('is medium in development, and nothing is said when SSM could not be read', () => {
      const snapshot = snapshotWithResources('development');
      snapshot.workloadResources!.secretParameters!.missing = [
        '/kler/development/storefront/APP_SECRET',
      ];
      expect(
        problemWithSuffix(
          problemsOf(snapshot),
          'service/storefront/missing-secret-parameter',
        ).severity,
      ).toBe('medium');
      delete snapshot.workloadResources!.secretParameters;
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('judges SSM references only: a Secrets Manager ARN of the same text is not looked up', () => {
      const snapshot = snapshotWithResources('production');
      const reference = '/kler/production/shop-api/APP_SECRET';
      serviceOf(
        snapshot,
        'shop-api',
      ).taskDefinitions![0].containers[0].secrets[0].source = 'secretsmanager';
      snapshot.workloadResources!.secretParameters!.missing = [reference];
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('missing-secret (Secrets Manager)', () => {
    const stripeArn = (tier: EnvironmentTier) => {
      const env = environment(tier);
      return `arn:aws:secretsmanager:${env.region}:${env.accountId}:secret:kler/${env.name}/stripe-Q1w2E3`;
    };
    /** shop-api also injects STRIPE_KEY from a JSON key of the stripe secret; the secret exists. */
    function withStripeSecret(tier: EnvironmentTier) {
      const snapshot = snapshotWithResources(tier);
      serviceOf(
        snapshot,
        'shop-api',
      ).taskDefinitions![0].containers[0].secrets.push({
        name: 'STRIPE_KEY',
        source: 'secretsmanager',
        reference: `${stripeArn(tier)}:api_key::`,
      });
      snapshot.workloadResources!.secretsManagerSecrets = {
        checked: [stripeArn(tier)],
        missing: [],
      };
      return snapshot;
    }

    it('says nothing while the secret exists', () => {
      expect(problemsOf(withStripeSecret('production'))).toEqual([]);
    });

    it('names the secret (JSON key and all) whose Secrets Manager secret does not exist, high in production, with restore and create fixes', () => {
      const snapshot = withStripeSecret('production');
      snapshot.workloadResources!.secretsManagerSecrets!.missing = [
        stripeArn('production'),
      ];
      const problems = problemsOf(snapshot);
      expect(problems).toHaveLength(1);
      const problem = problemWithSuffix(
        problems,
        'service/shop-api/missing-secret',
      );
      expect(problem).toMatchObject({
        area: 'workload',
        severity: 'high',
        serviceName: 'shop-api',
        title:
          'shop-api references 1 Secrets Manager secret that does not exist',
      });
      expect(problem.explanation).toContain(
        `STRIPE_KEY from ${stripeArn(
          'production',
        )}:api_key:: (container shop-api)`,
      );
      expect(problem.proposedFix).toContain(
        `aws secretsmanager restore-secret --secret-id ${stripeArn(
          'production',
        )} --region eu-west-1`,
      );
      expect(problem.proposedFix).toContain('aws secretsmanager create-secret');
      expect(problem.proposedFix).toContain('services.shop-api.secrets');
    });

    it('is medium in development, and nothing is said when Secrets Manager could not be read', () => {
      const snapshot = withStripeSecret('development');
      snapshot.workloadResources!.secretsManagerSecrets!.missing = [
        stripeArn('development'),
      ];
      expect(
        problemWithSuffix(
          problemsOf(snapshot),
          'service/shop-api/missing-secret',
        ).severity,
      ).toBe('medium');
      delete snapshot.workloadResources!.secretsManagerSecrets;
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('judges Secrets Manager references only: an SSM parameter of the same text is not this rule', () => {
      const snapshot = withStripeSecret('production');
      const secret = serviceOf(snapshot, 'shop-api').taskDefinitions![0]
        .containers[0].secrets[1];
      secret.source = 'ssm';
      snapshot.workloadResources!.secretsManagerSecrets!.missing = [
        stripeArn('production'),
      ];
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('image-vulnerabilities', () => {
    it('counts the critical and high findings of the digest that runs', () => {
      const snapshot = snapshotWithResources('production');
      const scan = snapshot.workloadResources!.imageScans!.find(
        s => s.repositoryName === 'kler/shop-api',
      )!;
      scan.critical = 1;
      scan.high = 3;
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'service/shop-api/image-vulnerabilities',
      );
      expect(problem).toMatchObject({
        severity: 'high',
        title:
          'shop-api runs an image with 1 critical vulnerability and 3 high vulnerabilities',
        resource: `kler/shop-api@${imageDigestOf('shop-api')}`,
      });
      expect(problem.proposedFix).toContain(
        `aws ecr describe-image-scan-findings --repository-name kler/shop-api --image-id imageDigest=${imageDigestOf(
          'shop-api',
        )}`,
      );
      expect(problem.consoleUrl).toContain('/ecr/repositories/private/');
    });

    it('is medium for high findings only in production, low in development', () => {
      const production = snapshotWithResources('production');
      production.workloadResources!.imageScans![0].high = 2;
      const development = snapshotWithResources('development');
      development.workloadResources!.imageScans![0].high = 2;
      const name = production.services[0].serviceName;
      expect(
        problemWithSuffix(
          problemsOf(production),
          `service/${name}/image-vulnerabilities`,
        ).severity,
      ).toBe('medium');
      expect(
        problemWithSuffix(
          problemsOf(development),
          `service/${name}/image-vulnerabilities`,
        ).severity,
      ).toBe('low');
    });

    it('ignores a vulnerable digest no running task runs', () => {
      const snapshot = snapshotWithResources('production');
      snapshot.workloadResources!.imageScans!.push({
        repositoryName: 'kler/shop-api',
        imageDigest: `sha256:${'e'.repeat(64)}`,
        status: 'complete',
        critical: 4,
        high: 0,
      });
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('says an image without a scan is not scanned, low, instead of clean', () => {
      const snapshot = snapshotWithResources('production');
      const scan = snapshot.workloadResources!.imageScans!.find(
        s => s.repositoryName === 'kler/shop-api',
      )!;
      scan.status = 'not-scanned';
      scan.critical = 0;
      const problems = problemsOf(snapshot);
      expect(problems.map(p => p.id)).toEqual([
        'production/service/shop-api/image-not-scanned',
      ]);
      expect(problems[0].severity).toBe('low');
      expect(problems[0].proposedFix).toContain(
        'aws ecr put-image-scanning-configuration --repository-name kler/shop-api --image-scanning-configuration scanOnPush=true',
      );
    });
  });

  describe('efs-unencrypted', () => {
    it('is high in production and medium in development, with the way to an encrypted copy', () => {
      for (const [tier, severity] of [
        ['production', 'high'],
        ['development', 'medium'],
      ] as const) {
        const snapshot = snapshotWithResources(tier);
        snapshot.workloadResources!.fileSystems = [
          fileSystem(tier, { encrypted: false }),
        ];
        const problems = problemsOf(snapshot);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatchObject({
          id: `${tier}/efs/fs-0123456789abcdef0/efs-unencrypted`,
          area: 'workload',
          severity,
          title:
            'File system shop-media (fs-0123456789abcdef0) is not encrypted at rest',
        });
        expect(problems[0].proposedFix).toContain(
          'aws efs create-file-system --encrypted',
        );
      }
    });
  });

  describe('efs-zone-without-mount-target', () => {
    it('names the zones where tasks run and the file system has no mount target', () => {
      const snapshot = snapshotWithResources('production');
      snapshot.workloadResources!.fileSystems = [
        fileSystem('production', { mountTargetZones: ['eu-west-1a'] }),
      ];
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'efs/fs-0123456789abcdef0/efs-zone-without-mount-target',
      );
      expect(problem).toMatchObject({
        severity: 'high',
        title:
          'File system shop-media (fs-0123456789abcdef0) has no mount target in eu-west-1b',
      });
      expect(problem.proposedFix).toContain(
        'aws efs create-mount-target --file-system-id fs-0123456789abcdef0',
      );
    });

    it('says nothing of a zone no task runs in, nor while running tasks are pending', () => {
      const snapshot = snapshotWithResources('production');
      snapshot.workloadResources!.fileSystems = [
        fileSystem('production', {
          mountTargetZones: ['eu-west-1a', 'eu-west-1b'],
        }),
      ];
      expect(problemsOf(snapshot)).toEqual([]);
      snapshot.workloadResources!.fileSystems[0].mountTargetZones = [];
      snapshot.pending = ['runningTasks'];
      expect(
        problemsOf(snapshot).filter(p => p.id.endsWith('mount-target')),
      ).toEqual([]);
    });
  });
});
