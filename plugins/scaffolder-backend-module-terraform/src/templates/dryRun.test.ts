import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { createFetchLocalGitAction } from '../actions/fetchLocal';
import { createPublishLocalGitAction } from '../actions/publishLocal';
import { createResolveTargetAction } from '../actions/resolveTarget';
import {
  createTestContext,
  environmentEntity,
  TEST_ACCOUNTS,
  terraformTestConfig,
  terraformTestOptions,
} from '../__testUtils__/fixtures';
import {
  listFiles,
  readTemplate,
  runTemplateSteps,
  startScaffolder,
  templateDirectoryContents,
  TEMPLATES_DIR,
  workspaceEnvironmentPath,
} from '../__testUtils__/templates';
import { GITHUB_WORKFLOW, PIPELINE_FOLDERS } from '../__testUtils__/pipeline';

jest.setTimeout(180_000);

const environmentAnswers = {
  name: 'staging',
  owner: 'group:default/platform-team',
  awsAccountId: TEST_ACCOUNTS.production,
  awsRegion: 'eu-west-1',
  instanceType: 't3.large',
  capacityMin: 1,
  capacityMax: 3,
  efs: true,
  database: false,
  backupSchedule: 'daily',
  backupRetentionDays: 7,
  domainName: 'shop.kler.example',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmails: ['oncall@kler.example'],
  services: [
    {
      name: 'storefront',
      imageTag: '1.0.0',
      cpu: 512,
      memory: 1024,
      desiredMin: 1,
      desiredMax: 2,
    },
    {
      name: 'shop-api',
      imageTag: '1.0.0',
      cpu: 512,
      memory: 1024,
      desiredMin: 1,
      desiredMax: 2,
      containerPort: 9000,
    },
  ],
};

/** The tests' config (accounts, their tier and credentials), with `environments`. */
function scaffolderConfig(environments: Record<string, unknown> = {}) {
  const config = terraformTestConfig({ timeoutMinutes: 2 }).get() as any;
  config.kler.environments = { ...config.kler.environments, ...environments };
  return config;
}

type DryRunResponse = {
  log: Array<{ body: { stepId?: string; message: string } }>;
  directoryContents: Array<{ path: string; base64Content: string }>;
  output: { text: Array<{ title: string; content: string }> };
};

/** Posts a dry run; anything but 200 fails with the scaffolder's answer. */
async function dryRun(
  server: Awaited<ReturnType<typeof startScaffolder>>,
  request: Record<string, unknown>,
): Promise<DryRunResponse> {
  const response = await supertest(server)
    .post('/api/scaffolder/v2/dry-run')
    .send({ secrets: {}, ...request });
  if (response.status !== 200) {
    throw new Error(
      `dry run answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

function logOf(body: DryRunResponse) {
  return body.log
    .map(entry => `${entry.body.stepId}: ${entry.body.message}`)
    .join('\n');
}

/**
 * Creates an environment with kler-environment (the development or
 * production test account) and publishes it to the local repository
 * `repository`, as a first run of the portal would; answers its variables as
 * published.
 */
async function publishEnvironment(
  name: string,
  awsAccountId: string,
  repository: string,
): Promise<Record<string, any>> {
  const created = await runTemplateSteps('kler-environment', {
    ...environmentAnswers,
    name,
    awsAccountId,
  });
  try {
    const publish = createTestContext({
      workspacePath: created.workspacePath,
      input: {
        sourcePath: workspaceEnvironmentPath(name),
        targetDirectory: `environments/${name}`,
      },
    });
    await createPublishLocalGitAction({
      config: new ConfigReader({
        kler: { environments: { localRepository: repository } },
      }),
    }).handler(publish.ctx as any);
    return JSON.parse(
      await fs.readFile(
        path.join(
          created.workspacePath,
          workspaceEnvironmentPath(name),
          'terraform.tfvars.json',
        ),
        'utf8',
      ),
    );
  } finally {
    await fs.rm(created.workspacePath, { recursive: true, force: true });
  }
}

/** A file of the dry run's workspace. */
function fileOf(body: DryRunResponse, file: string) {
  const entry = body.directoryContents.find(item => item.path === file);
  expect(entry).toBeDefined();
  return Buffer.from(entry!.base64Content, 'base64').toString('utf8');
}

/**
 * The templates through the real scaffolder's dry-run API: the engine renders
 * every expression and runs every step in dry-run, with the real Terraform,
 * and the output does not claim what did not happen.
 */
describe('kler-environment on the scaffolder (dry-run API)', () => {
  let body: DryRunResponse;

  beforeAll(async () => {
    const server = await startScaffolder({ config: scaffolderConfig() });
    const { template } = await readTemplate('kler-environment');
    body = await dryRun(server, {
      template,
      // tier is no parameter: sent anyway, it decides nothing.
      values: { ...environmentAnswers, tier: 'development' },
      directoryContents: await templateDirectoryContents('kler-environment'),
    });
  });

  it('takes the tier from the config, checks and plans nothing, and says so', () => {
    const log = logOf(body);
    expect(log).toMatch(
      /target: .*Target: account 222222222222 \(production\), eu-west-1\n/,
    );
    expect(log).toMatch(
      /check: .*Validation skipped: dry run: providers and modules are not downloaded in a dry run/,
    );
    expect(log).toMatch(
      /check: .*Formatting is canonical; validation was skipped/,
    );
    expect(log).toMatch(
      /plan: .*Plan skipped: dry run: nothing is planned in a dry run/,
    );
    expect(log).toMatch(/apply: .*Apply skipped: the plan was not made/);
    expect(log).toMatch(/outputs: .*Outputs skipped/);
    expect(log).toContain(
      'Skipping step publish because its if condition was false',
    );
    expect(log).toContain(
      'Skipping step register because its if condition was false',
    );

    const [what] = body.output.text;
    expect(what.content).toContain(
      `**Environment \`staging\` (production, account ${TEST_ACCOUNTS.production}, eu-west-1)**`,
    );
    expect(what.content).toContain(
      'Terraform checked (content policy, formatting, validity): passed; validation skipped: dry run',
    );
    expect(log).toMatch(
      /sandbox: .*Sandbox provisioning skipped: no local AWS sandbox is configured/,
    );
    expect(what.content).toContain('Apply: NOT applied on AWS (');
    expect(what.content).toContain(
      'Local sandbox: not provisioned (no local AWS sandbox is configured',
    );
    expect(what.content).toContain('The environment was not provisioned.');
    expect(what.content).toContain(
      'Published: not published: only an environment applied on AWS or provisioned in the local sandbox is published.',
    );
    expect(what.content).toContain('Catalog: not registered');
    expect(what.content).not.toMatch(
      /applied on AWS:|provisioned in the local AWS sandbox as|registered from|handed to the catalog|commit /,
    );
  });

  it('copies the Terraform as it is and writes the same values as the tests do', async () => {
    const sourceDir = path.join(TEMPLATES_DIR, 'kler-environment', 'terraform');
    for (const file of await listFiles(sourceDir)) {
      expect({
        file,
        text: fileOf(body, `${workspaceEnvironmentPath('staging')}/${file}`),
      }).toEqual({
        file,
        text: await fs.readFile(path.join(sourceDir, file), 'utf8'),
      });
    }
    const tfFiles = body.directoryContents
      .map(entry => entry.path)
      .filter(file => file.endsWith('.tf'));
    expect(tfFiles).toHaveLength(
      (await listFiles(sourceDir)).filter(file => file.endsWith('.tf')).length,
    );

    // runTemplateSteps, which the other template tests use, renders alike.
    const { workspacePath } = await runTemplateSteps(
      'kler-environment',
      environmentAnswers,
    );
    try {
      for (const file of [
        'terraform.tfvars.json',
        'catalog-info.yaml',
        'README.md',
        'pipeline.json',
      ].map(name => `${workspaceEnvironmentPath('staging')}/${name}`)) {
        expect({ file, text: fileOf(body, file) }).toEqual({
          file,
          text: await fs.readFile(path.join(workspacePath, file), 'utf8'),
        });
      }
    } finally {
      await fs.rm(workspacePath, { recursive: true, force: true });
    }
  });
});

describe('kler-environment on the scaffolder for someone who may not provision, with the environments repository on GitHub (dry-run API)', () => {
  let body: DryRunResponse;

  beforeAll(async () => {
    // Everything is allowed but provisioning: the scaffolder's own checks
    // pass, and resolveTarget hands the change to the pipeline.
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(request => ({
          result: request.permission.name.startsWith('environments.provision')
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    });
    const config = scaffolderConfig({
      repository: {
        type: 'github',
        repoUrl: 'github.com?owner=kler&repo=environments',
      },
    });
    config.integrations = {
      github: [{ host: 'github.com', token: 'ghp_kler_dry_run_token' }],
    };
    const server = await startScaffolder({
      config,
      features: [permissions.factory],
    });
    const { template } = await readTemplate('kler-environment');
    body = await dryRun(server, {
      template,
      values: environmentAnswers,
      directoryContents: await templateDirectoryContents('kler-environment'),
    });
  });

  it('runs no Terraform step, lays out the repository with its pipeline, and proposes it by pull request', async () => {
    const log = logOf(body);
    for (const step of [
      'pipelineGitlab',
      'check',
      'plan',
      'apply',
      'sandbox',
      'outputs',
      'publish',
      'register',
      'mergeRequest',
    ]) {
      expect(log).toContain(
        `Skipping step ${step} because its if condition was false`,
      );
    }
    expect(log).not.toMatch(/\$ terraform/);
    expect(log).toMatch(
      /target: .*does not apply from the portal .*: the change goes to github.com\?owner=kler&repo=environments as a pull request/,
    );
    expect(log).toMatch(
      /pipelineConfig: .*Wrote repository\/environments\/staging\/pipeline.json: production account 222222222222/,
    );
    expect(log).toMatch(
      /pullRequest: .*Performing dry run of creating pull request/,
    );

    const paths = body.directoryContents.map(entry => entry.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'repository/.github/workflows/kler-environments.yml',
        'repository/.gitignore',
        'repository/.kler-pipeline/pipeline.sh',
        'repository/.kler-pipeline/plan-summary.jq',
        'repository/environments/staging/pipeline.json',
        'repository/environments/staging/terraform.tfvars.json',
        'repository/environments/staging/catalog-info.yaml',
        'repository/environments/staging/main.tf',
      ]),
    );
    expect(paths.filter(file => /gitlab/.test(file))).toEqual([]);
    expect(
      fileOf(body, 'repository/.github/workflows/kler-environments.yml'),
    ).toBe(await fs.readFile(GITHUB_WORKFLOW, 'utf8'));
    expect(fileOf(body, 'repository/.kler-pipeline/pipeline.sh')).toBe(
      await fs.readFile(
        path.join(PIPELINE_FOLDERS.common, '.kler-pipeline/pipeline.sh'),
        'utf8',
      ),
    );

    const [what] = body.output.text;
    expect(what.content).toContain(
      'Terraform checked (content policy, formatting, validity): not here: the pipeline checks it on the pull request.',
    );
    expect(what.content).toContain(
      'Plan: not here: the pipeline plans it on the pull request.',
    );
    expect(what.content).toContain(
      'Apply: not from the portal, which needs the provisioning permission for this account: the pipeline applies it on AWS once the pull request is reviewed and merged, production after its reviewers approve.',
    );
    expect(what.content).toContain(
      'Result: proposed, not provisioned yet: nothing was applied on AWS',
    );
    // In a dry run the action answers with the repository for the URL.
    expect(what.content).toContain(
      'Proposed: pull request github.com?owner=kler&repo=environments to main of the environments repository.',
    );
    expect(what.content).toContain(
      'Catalog: not yet: the catalog registers it from the environments repository once the pull request is merged',
    );
    expect(what.content).not.toMatch(
      /applied on AWS:|provisioned in the local AWS sandbox as|Published: commit|handed to the catalog/,
    );
  });
});

describe('kler-service on the scaffolder (dry-run API)', () => {
  let root: string;
  let body: DryRunResponse;
  const repository = () => path.join(root, 'environments.git');
  const serviceAnswers = {
    environment: 'resource:default/dev-svc',
    serviceName: 'image-service',
    imageTag: '0.9.0',
    cpu: 256,
    memory: 512,
    desiredMin: 1,
    desiredMax: 4,
    listenerPriority: 500,
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-service-dry-run-'));
    await publishEnvironment(
      'dev-svc',
      TEST_ACCOUNTS.development,
      repository(),
    );

    const server = await startScaffolder({
      config: scaffolderConfig({ localRepository: repository() }),
      entities: [environmentEntity('dev-svc')],
    });
    const { template } = await readTemplate('kler-service');
    body = await dryRun(server, {
      template,
      values: serviceAnswers,
      directoryContents: [],
    });
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('finds the environment in the catalog, adds the service as data, plans and proposes nothing', () => {
    const log = logOf(body);
    expect(log).toMatch(
      /target: .*Target: account 111111111111 \(development\), eu-west-1, resource:default\/dev-svc\n/,
    );
    expect(log).toMatch(
      /service: .*Wrote services\["image-service"\] to repository\/environments\/dev-svc\/terraform.tfvars.json/,
    );
    expect(log).toMatch(
      /plan: .*Plan skipped: dry run: nothing is planned in a dry run/,
    );
    expect(log).toMatch(
      /publish: .*Publish skipped: dry run: would commit to .* \(add-service-image-service\)/,
    );
    const [what] = body.output.text;
    expect(what.content).toContain(
      '**Service `image-service` for environment `dev-svc` (development',
    );
    expect(what.content).toContain(
      'Nothing was applied: the service does not run yet.',
    );
    expect(what.content).toContain('Proposed: not published (dry run');
  });

  it('writes the same variables as the tests do', async () => {
    const run = await runTemplateSteps('kler-service', serviceAnswers, {
      actions: {
        'kler:environment:resolveTarget': createResolveTargetAction(
          terraformTestOptions({
            catalog: catalogServiceMock({
              entities: [environmentEntity('dev-svc')],
            }),
            permissions: mockServices.permissions(),
          }),
        ),
        'kler:git:fetchLocal': createFetchLocalGitAction({
          config: new ConfigReader({
            kler: { environments: { localRepository: repository() } },
          }),
        }),
      },
    });
    try {
      const file = `${workspaceEnvironmentPath(
        'dev-svc',
      )}/terraform.tfvars.json`;
      const variables = JSON.parse(fileOf(body, file));
      expect(variables.services['image-service']).toEqual({
        image_tag: serviceAnswers.imageTag,
        cpu: 256,
        memory: 512,
        desired_min: 1,
        desired_max: 4,
        priority: 500,
      });
      expect(variables).toEqual(
        JSON.parse(
          await fs.readFile(path.join(run.workspacePath, file), 'utf8'),
        ),
      );
    } finally {
      await fs.rm(run.workspacePath, { recursive: true, force: true });
    }
  });
});

describe('kler-promote on the scaffolder (dry-run API)', () => {
  const ENVIRONMENTS_HOST = 'http://environments.test';
  const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
  const IMAGE_REPOSITORY = `${REGISTRY}/kler/dev-shop/shop-api`;
  const DIGEST = `sha256:${'c3'.repeat(32)}`;
  const TASK_DEFINITION =
    'arn:aws:ecs:eu-west-1:111111111111:task-definition/dev-shop-shop-api:7';
  const promotion = {
    component: 'component:default/shop-api',
    sourceEnvironment: 'resource:default/dev-shop',
    targetEnvironment: 'resource:default/prod-promo',
  };

  /** What the environments backend was asked, with which credentials. */
  const asked: Array<{ url: string; authorization: string | null }> = [];
  /**
   * The environments backend: shop-api runs in dev-shop only, tag 1.4.2 at
   * DIGEST, as its task definition and running tasks say.
   */
  const environmentsBackend = setupServer(
    http.get(
      `${ENVIRONMENTS_HOST}/api/environments/v1/entity/:namespace/:kind/:name`,
      ({ request }) => {
        asked.push({
          url: request.url,
          authorization: request.headers.get('authorization'),
        });
        const image = `${IMAGE_REPOSITORY}:1.4.2`;
        const service = {
          serviceName: 'shop-api',
          serviceArn:
            'arn:aws:ecs:eu-west-1:111111111111:service/kler-dev-shop/shop-api',
          status: 'ACTIVE',
          desiredCount: 1,
          runningCount: 1,
          pendingCount: 0,
          deployments: [],
          events: [],
          tasks: [
            {
              taskArn:
                'arn:aws:ecs:eu-west-1:111111111111:task/kler-dev-shop/0',
              taskDefinitionArn: TASK_DEFINITION,
              lastStatus: 'RUNNING',
              containers: [{ name: 'shop-api', image, imageDigest: DIGEST }],
            },
          ],
          targetGroupArns: [],
          targetHealth: [],
          alarms: [],
          taskDefinitions: [
            {
              taskDefinitionArn: TASK_DEFINITION,
              family: 'dev-shop-shop-api',
              revision: 7,
              containers: [
                {
                  name: 'shop-api',
                  image: {
                    image,
                    registry: REGISTRY,
                    repository: 'kler/dev-shop/shop-api',
                    tag: '1.4.2',
                  },
                  essential: true,
                  ports: [8080],
                  environmentNames: [],
                  secrets: [],
                },
              ],
            },
          ],
        };
        return HttpResponse.json({
          entityRef: 'component:default/shop-api',
          serviceNames: ['shop-api'],
          environments: [
            {
              summary: { name: 'dev-shop', tier: 'development' },
              services: [{ service, evaluation: {} }],
            },
          ],
        });
      },
    ),
  );
  /**
   * The backend's discovery finds every plugin on the mocked host, so that
   * resolveImage reaches the environments backend msw answers for; a call to
   * any other backend is an unhandled request, which fails it.
   */
  const discovery = createServiceFactory({
    service: coreServices.discovery,
    deps: {},
    factory: () => ({
      getBaseUrl: async (pluginId: string) =>
        `${ENVIRONMENTS_HOST}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `${ENVIRONMENTS_HOST}/api/${pluginId}`,
    }),
  });

  let root: string;
  let server: Awaited<ReturnType<typeof startScaffolder>>;
  let template: Record<string, unknown>;
  /** The target's variables as its default branch holds them. */
  let published: Record<string, any>;
  let body: DryRunResponse;
  const repository = () => path.join(root, 'environments.git');

  beforeAll(async () => {
    environmentsBackend.listen({
      onUnhandledRequest: (request, print) => {
        // The dry runs themselves go to the scaffolder on this machine.
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-promote-dry-run-'));
    published = await publishEnvironment(
      'prod-promo',
      TEST_ACCOUNTS.production,
      repository(),
    );

    server = await startScaffolder({
      config: scaffolderConfig({ localRepository: repository() }),
      entities: [environmentEntity('prod-promo', { tier: 'production' })],
      features: [discovery],
    });
    ({ template } = await readTemplate('kler-promote'));
    body = await dryRun(server, {
      template,
      values: promotion,
      directoryContents: [],
    });
  });
  afterAll(async () => {
    environmentsBackend.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('asks the environments backend for the user which image runs in the source', () => {
    expect(asked).toEqual([
      {
        url: `${ENVIRONMENTS_HOST}/api/environments/v1/entity/default/component/shop-api`,
        // A token for the environments backend on behalf of the user who
        // started the dry run (the mock backend's default user).
        authorization: mockCredentials.service.header({
          onBehalfOf: mockCredentials.user(),
          targetPluginId: 'environments',
        }),
      },
    ]);
  });

  it('resolves the target from the config, proposes the image that runs in the source, and applies and publishes nothing', () => {
    const log = logOf(body);
    expect(log).toMatch(
      /target: .*Target: account 222222222222 \(production\), eu-west-1, resource:default\/prod-promo\n/,
    );
    const imageLog = log
      .split('\n')
      .filter(line => line.startsWith('image: '))
      .join('\n');
    expect(imageLog).toContain(
      `shop-api runs ${IMAGE_REPOSITORY}@${DIGEST} (tag 1.4.2) in dev-shop (${TASK_DEFINITION})`,
    );
    expect(log).toMatch(
      /service: .*Wrote services\["shop-api"\] to repository\/environments\/prod-promo\/terraform.tfvars.json/,
    );
    expect(log).toMatch(
      /plan: .*Plan skipped: dry run: nothing is planned in a dry run/,
    );
    expect(log).toMatch(/apply: .*Apply skipped: the plan was not made/);
    expect(log).toMatch(
      /publish: .*Publish skipped: dry run: would commit to .* \(promote-shop-api-to-prod-promo\)/,
    );
    for (const step of ['fetchRepository', 'pullRequest', 'mergeRequest']) {
      expect(log).toContain(
        `Skipping step ${step} because its if condition was false`,
      );
    }

    const [what] = body.output.text;
    expect(what.content).toContain(
      '**Service `shop-api` of `component:default/shop-api`, from `dev-shop` to `prod-promo` (production, account 222222222222, eu-west-1)**',
    );
    // The image the environments backend gave, and the one it replaces.
    expect(what.content).toContain(
      `- Image: ${IMAGE_REPOSITORY}@${DIGEST} (tag 1.4.2), as it runs in dev-shop (${TASK_DEFINITION}); the target named the environment's own repository:1.0.0.`,
    );
    expect(what.content).toContain(
      '- Checked: passed; validation skipped: dry run: providers and modules are not downloaded in a dry run',
    );
    expect(what.content).toContain(
      "- Plan: skipped: dry run: nothing is planned in a dry run (a plan needs account 222222222222's credentials)",
    );
    expect(what.content).toContain(
      '- Apply: NOT applied on AWS (the plan was not made (dry run: nothing is planned in a dry run',
    );
    expect(what.content).toMatch(
      /- Proposed: not published \(dry run: would commit to .* \(promote-shop-api-to-prod-promo\)\)\./,
    );
    expect(what.content).not.toMatch(
      /applied on AWS:|, commit |pull request|merge request/,
    );
  });

  it("writes the source's image for that service in the target's variables and changes no other value", () => {
    const variables = JSON.parse(
      fileOf(
        body,
        `${workspaceEnvironmentPath('prod-promo')}/terraform.tfvars.json`,
      ),
    );
    expect(published.services['shop-api'].image_tag).toBe('1.0.0');
    expect(variables).toEqual({
      ...published,
      services: {
        ...published.services,
        'shop-api': {
          ...published.services['shop-api'],
          image_repository: IMAGE_REPOSITORY,
          image_tag: DIGEST,
        },
      },
    });
  });

  it('refuses a source environment the component does not run in, naming both', async () => {
    await expect(
      dryRun(server, {
        template,
        values: { ...promotion, sourceEnvironment: 'resource:default/qa-shop' },
        directoryContents: [],
      }),
    ).rejects.toThrow(
      /^dry run answered 400: .*component:default\/shop-api does not run in qa-shop; it runs in dev-shop/,
    );
  });
});
