import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createFetchPlainAction } from '@backstage/plugin-scaffolder-backend';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createResolveImageAction } from '../actions/resolveImage';
import { createResolveTargetAction } from '../actions/resolveTarget';
import {
  environmentEntity,
  terraformTestConfig,
  terraformTestOptions,
} from '../__testUtils__/fixtures';
import {
  evaluateTerraformLocals,
  listFiles,
  permissionsGranting,
  readTemplate,
  RecordedCall,
  recordingAction,
  renderStepInput,
  runTemplateSteps,
  startScaffolder,
  TEMPLATE_TEST_USER,
  templateEntity,
  unconstrainedParameters,
  workspaceEnvironmentPath,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

const ENVIRONMENTS_URL = 'http://environments.test/api/environments';
const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST = `sha256:${'a1'.repeat(32)}`;

/** The production environment the image goes to, as kler-environment writes it. */
const target = {
  name: 'prod-shop',
  title: 'Production shop',
  owner: 'group:default/platform-team',
  awsAccountId: '222222222222',
  awsRegion: 'eu-west-1',
  instanceType: 't3.large',
  capacityMin: 2,
  capacityMax: 4,
  services: [
    {
      name: 'shop-api',
      imageTag: '1.0.0',
      cpu: 512,
      memory: 1024,
      desiredMin: 2,
      desiredMax: 4,
      secrets: ['APP_SECRET'],
    },
    {
      name: 'storefront',
      imageTag: '2.3.1',
      cpu: 256,
      memory: 512,
      desiredMin: 2,
      desiredMax: 4,
    },
  ],
  efs: false,
  database: false,
  backupSchedule: 'daily',
  backupRetentionDays: 7,
  domainName: 'shop.kler.example',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmails: ['oncall@kler.example'],
};

const promotion = {
  component: 'component:default/shop-api',
  sourceEnvironment: 'resource:default/dev-shop',
  targetEnvironment: 'resource:default/prod-shop',
};

/** A service of the environments backend's snapshot, running `image`. */
function ecsService(
  options: {
    name?: string;
    image?: string;
    digests?: string[];
    taskDefinitions?: boolean;
    secondImage?: string;
  } = {},
) {
  const name = options.name ?? 'shop-api';
  const image = options.image ?? `${REGISTRY}/kler/dev-shop/${name}:1.4.2`;
  const [repositoryPart] = image.split(':');
  const arn = (revision: number) =>
    `arn:aws:ecs:eu-west-1:111111111111:task-definition/dev-shop-${name}:${revision}`;
  const definition = (revision: number, ref: string) => ({
    taskDefinitionArn: arn(revision),
    family: `dev-shop-${name}`,
    revision,
    containers: [
      {
        name,
        image: {
          image: ref,
          registry: REGISTRY,
          repository: repositoryPart.slice(REGISTRY.length + 1),
          tag: ref.split(':')[1],
        },
        essential: true,
        ports: [8080],
        environmentNames: [],
        secrets: [],
      },
    ],
  });
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:eu-west-1:111111111111:service/kler-dev-shop/${name}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [],
    events: [],
    tasks: (options.digests ?? [DIGEST, DIGEST]).map((digest, index) => ({
      taskArn: `arn:aws:ecs:eu-west-1:111111111111:task/kler-dev-shop/${index}`,
      taskDefinitionArn: arn(7),
      lastStatus: 'RUNNING',
      containers: [{ name, image, imageDigest: digest }],
    })),
    targetGroupArns: [],
    targetHealth: [],
    alarms: [],
    ...(options.taskDefinitions === false
      ? {}
      : {
          taskDefinitions: [
            definition(7, image),
            ...(options.secondImage
              ? [definition(6, options.secondImage)]
              : []),
          ],
        }),
  };
}

/** GET /v1/entity/...: the component's services in each environment. */
function entityResponse(
  services: Array<ReturnType<typeof ecsService>>,
  environment = 'dev-shop',
) {
  return {
    entityRef: 'component:default/shop-api',
    serviceNames: services.map(service => service.serviceName),
    environments: [
      {
        summary: { name: environment, tier: 'development' },
        services: services.map(service => ({ service, evaluation: {} })),
      },
    ],
  };
}

async function readVariables(dir: string) {
  return JSON.parse(
    await fs.readFile(path.join(dir, 'terraform.tfvars.json'), 'utf8'),
  );
}

describe('kler-promote', () => {
  let root: string;
  /** The target environment as the default branch holds it. */
  let defaultBranchDir: string;
  let published: Record<string, any>;
  const workspaces: string[] = [];
  /** What the environments backend answers, and what it was asked. */
  let answer: unknown = entityResponse([ecsService()]);
  const asked: Array<{ url: string; authorization: string | null }> = [];
  const server = setupServer(
    http.get(
      `${ENVIRONMENTS_URL}/v1/entity/:namespace/:kind/:name`,
      ({ request: req, params }) => {
        asked.push({
          url: req.url,
          authorization: req.headers.get('authorization'),
        });
        if (params.name !== 'shop-api') {
          return HttpResponse.json(
            { error: { name: 'NotFoundError', message: 'No entity' } },
            { status: 404 },
          );
        }
        return HttpResponse.json(answer as any);
      },
    ),
  );

  const discovery = {
    getBaseUrl: async (pluginId: string) =>
      `http://environments.test/api/${pluginId}`,
    getExternalBaseUrl: async (pluginId: string) =>
      `http://environments.test/api/${pluginId}`,
  };

  /** Runs kler-promote with the environments repository on `host`, for a user granted `granted`. */
  const promote = async (options: {
    parameters?: Record<string, unknown>;
    granted: string[];
    repository?: { type: string; repoUrl: string };
    planOutput?: Record<string, unknown>;
  }) => {
    const calls: RecordedCall[] = [];
    const reader = mockServices.urlReader.mock({
      readTree: async () =>
        ({
          dir: async (dirOptions?: { targetDir?: string }) => {
            await fs.cp(defaultBranchDir, dirOptions!.targetDir!, {
              recursive: true,
            });
            return dirOptions!.targetDir!;
          },
        } as any),
    });
    const workspacePath = await fs.mkdtemp(path.join(root, 'workspace-'));
    workspaces.push(workspacePath);
    const run = await runTemplateSteps(
      'kler-promote',
      { ...promotion, ...options.parameters },
      {
        workspacePath,
        actions: {
          'kler:environment:resolveTarget': createResolveTargetAction(
            terraformTestOptions({
              catalog: catalogServiceMock({
                entities: [
                  environmentEntity('dev-shop'),
                  environmentEntity('prod-shop', { tier: 'production' }),
                ],
              }),
              permissions: permissionsGranting(options.granted),
              environments: options.repository
                ? { repository: options.repository }
                : {},
            }),
          ),
          'kler:environment:resolveImage': createResolveImageAction({
            auth: mockServices.auth(),
            discovery,
          }),
          'fetch:plain': createFetchPlainAction({
            reader,
            integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
          }),
          'kler:terraform:plan': recordingAction(
            'kler:terraform:plan',
            calls,
            options.planOutput ?? {},
          ),
          'kler:terraform:apply': recordingAction(
            'kler:terraform:apply',
            calls,
            { applied: true, summary: '0 to add, 1 to change' },
          ),
          ...Object.fromEntries(
            [
              'kler:git:fetchLocal',
              'kler:terraform:check',
              'kler:git:publishLocal',
              'publish:github:pull-request',
              'publish:gitlab:merge-request',
            ].map(id => [id, recordingAction(id, calls)]),
          ),
        },
      },
    );
    return { ...run, calls };
  };

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-promote-'));
    const created = await runTemplateSteps('kler-environment', target);
    defaultBranchDir = path.join(root, 'main', 'environments', 'prod-shop');
    await fs.cp(
      path.join(created.workspacePath, workspaceEnvironmentPath('prod-shop')),
      defaultBranchDir,
      { recursive: true },
    );
    published = await readVariables(defaultBranchDir);
    await fs.rm(created.workspacePath, { recursive: true, force: true });
  });
  beforeEach(() => {
    answer = entityResponse([ecsService()]);
    asked.length = 0;
  });
  afterAll(async () => {
    server.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const github = {
    type: 'github',
    repoUrl: 'github.com?owner=kler&repo=environments',
  };
  const gitlab = {
    type: 'gitlab',
    repoUrl: 'gitlab.com?owner=kler&repo=environments',
  };

  it.each([
    ['GitHub', github, 'pullRequest', 'publish:github:pull-request'],
    ['GitLab', gitlab, 'mergeRequest', 'publish:gitlab:merge-request'],
  ])(
    'on %s, for a user who may not provision in production, proposes the image that runs in the source, changing only that service',
    async (_host, repository, proposeStep, proposeAction) => {
      const run = await promote({
        granted: ['environments.provision'],
        repository,
        // Not parameters of the template: they cannot choose the image.
        parameters: {
          imageTag: 'evil',
          image: 'attacker/x:1',
          imageRepository: 'attacker/x',
        },
      });
      expect(run.ran).toEqual([
        'target',
        'fetchRepository',
        'image',
        'service',
        proposeStep,
      ]);
      expect(run.skipped).toEqual(
        expect.arrayContaining(['fetch', 'check', 'plan', 'apply', 'publish']),
      );
      expect(run.calls.map(call => call.id)).toEqual([proposeAction]);
      expect(run.context.steps.target.output).toMatchObject({
        tier: 'production',
        applyBy: 'pipeline',
      });

      // The image is the backend's, asked with the user's token.
      expect(asked).toEqual([
        {
          url: `${ENVIRONMENTS_URL}/v1/entity/default/component/shop-api`,
          authorization: expect.stringMatching(/^Bearer .+/),
        },
      ]);
      const environmentDir = path.join(
        run.workspacePath,
        workspaceEnvironmentPath('prod-shop'),
      );
      const variables = await readVariables(environmentDir);
      expect(variables).toEqual({
        ...published,
        services: {
          ...published.services,
          'shop-api': {
            ...published.services['shop-api'],
            image_repository: `${REGISTRY}/kler/dev-shop/shop-api`,
            image_tag: DIGEST,
          },
        },
      });
      // Only the environment's files, as the default branch has them but
      // for the values: the request changes one file.
      expect(
        await listFiles(path.join(run.workspacePath, 'repository')),
      ).toEqual(
        (await listFiles(defaultBranchDir)).map(
          file => `environments/prod-shop/${file}`,
        ),
      );
      for (const file of await listFiles(defaultBranchDir)) {
        if (file === 'terraform.tfvars.json') continue;
        expect({
          file,
          same: (await fs.readFile(path.join(environmentDir, file))).equals(
            await fs.readFile(path.join(defaultBranchDir, file)),
          ),
        }).toEqual({ file, same: true });
      }
      // Terraform takes it and runs that digest of that repository.
      const { exitCode, stderr, locals } = await evaluateTerraformLocals(
        environmentDir,
        variables,
        ['running_services'],
      );
      expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(locals!.running_services['shop-api'].image).toBe(
        `${REGISTRY}/kler/dev-shop/shop-api@${DIGEST}`,
      );

      const input = run.calls[0].input;
      expect(input).toMatchObject({
        repoUrl: repository.repoUrl,
        targetBranchName: 'main',
        branchName: 'promote-shop-api-to-prod-shop',
        sourcePath: 'repository',
        title: 'Promote shop-api to prod-shop',
      });
      expect(input.description).toBe(
        `Proposed from the portal by ${TEMPLATE_TEST_USER}: ${REGISTRY}/kler/dev-shop/shop-api@${DIGEST}, as it runs in dev-shop. The pipeline checks and plans it here and applies it once merged (production: after its ${
          repository === github
            ? 'reviewers approve'
            : 'approvers approve the deployment'
        }).`,
      );
    },
  );

  it('for a user with the production permission, checks, plans and applies it, then proposes it as applied', async () => {
    const run = await promote({
      granted: ['environments.provision', 'environments.provision.production'],
      repository: github,
      planOutput: {
        planFile: 'plan.tfplan',
        planSha256: 'f'.repeat(64),
        summary: {
          add: 0,
          change: 1,
          destroy: 0,
          replace: 1,
          byType: {
            aws_ecs_task_definition: {
              add: 0,
              change: 0,
              destroy: 0,
              replace: 1,
            },
            aws_ecs_service: { add: 0, change: 1, destroy: 0, replace: 0 },
          },
        },
      },
    });
    expect(run.ran).toEqual([
      'target',
      'fetchRepository',
      'image',
      'service',
      'check',
      'plan',
      'apply',
      'pullRequest',
    ]);
    const byId = Object.fromEntries(run.calls.map(call => [call.id, call]));
    expect(byId['kler:terraform:plan'].input).toMatchObject({
      workingDirectory: 'repository/environments/prod-shop',
      environment: 'resource:default/prod-shop',
      backendConfig: { key: 'environments/prod-shop/terraform.tfstate' },
    });
    expect(byId['kler:terraform:apply'].input).toEqual({
      planFile: 'plan.tfplan',
      planSha256: 'f'.repeat(64),
      allowDestroy: true,
      environmentName: 'prod-shop',
    });
    expect(byId['publish:github:pull-request'].input.description).toContain(
      'Applied on AWS from the portal already',
    );
  });

  it('applies only a plan whose replacements are task definitions', async () => {
    const { steps } = await readTemplate('kler-promote');
    const apply = steps.find(step => step.id === 'apply')!;
    const allowDestroy = (summary: unknown) =>
      renderStepInput(apply.input, {
        parameters: promotion,
        steps: {
          target: { output: { environment: 'resource:default/prod-shop' } },
          plan: { output: summary ? { summary } : { skipReason: 'dry run' } },
        },
        user: {},
      }).allowDestroy;
    const counts = (replace: number, destroy = 0) => ({
      add: 0,
      change: 0,
      destroy,
      replace,
    });
    expect(
      allowDestroy({
        ...counts(1),
        byType: { aws_ecs_task_definition: counts(1) },
      }),
    ).toBe(true);
    expect(
      allowDestroy({
        ...counts(2),
        byType: {
          aws_ecs_task_definition: counts(1),
          aws_lb_target_group: counts(1),
        },
      }),
    ).toBe(false);
    expect(
      allowDestroy({
        ...counts(1, 1),
        byType: {
          aws_ecs_task_definition: counts(1),
          aws_ecr_repository: counts(0, 1),
        },
      }),
    ).toBe(false);
    expect(allowDestroy({ ...counts(0), byType: {} })).toBe(false);
    expect(allowDestroy(undefined)).toBe(false);
  });

  it('with the local repository, production without the production permission is refused before anything is fetched', async () => {
    await expect(
      promote({ granted: ['environments.provision'] }),
    ).rejects.toThrow(/may not apply from the portal/);
    expect(asked).toEqual([]);
  });

  it.each([
    [
      'the component does not run in the source',
      () => entityResponse([ecsService()], 'staging'),
      'component:default/shop-api does not run in dev-shop; it runs in staging',
    ],
    [
      'its task definitions are not read yet',
      () => entityResponse([ecsService({ taskDefinitions: false })]),
      'The task definitions of shop-api in dev-shop are not read yet',
    ],
    [
      'its tasks run different digests',
      () =>
        entityResponse([
          ecsService({ digests: [DIGEST, `sha256:${'b2'.repeat(32)}`] }),
        ]),
      'The containers shop-api of shop-api in dev-shop run different images',
    ],
    [
      'its deployments run different images',
      () =>
        entityResponse([
          ecsService({
            secondImage: `${REGISTRY}/kler/dev-shop/shop-api:1.4.1`,
          }),
        ]),
      'shop-api in dev-shop is being deployed',
    ],
    [
      'it runs a mutable tag and no task reports a digest',
      () =>
        entityResponse([
          ecsService({
            image: `${REGISTRY}/kler/dev-shop/shop-api:latest`,
            digests: [],
          }),
        ]),
      'a mutable tag cannot be promoted',
    ],
    [
      'it runs several services and none is named',
      () => entityResponse([ecsService(), ecsService({ name: 'shop-worker' })]),
      'runs shop-api, shop-worker in dev-shop: name the service to promote',
    ],
    [
      'the target has no such service',
      () => entityResponse([ecsService({ name: 'shop-worker' })]),
      'The target environment has no service shop-worker in its terraform.tfvars.json: add it with kler-service first',
    ],
  ])('refuses when %s', async (_case, body, message) => {
    answer = body();
    await expect(promote({ granted: [], repository: github })).rejects.toThrow(
      message,
    );
  });

  it('takes the named service of a component that runs several', async () => {
    answer = entityResponse([
      ecsService({ name: 'shop-worker' }),
      ecsService(),
    ]);
    const run = await promote({
      granted: [],
      repository: github,
      parameters: { serviceName: 'shop-api' },
    });
    expect(run.context.steps.image.output).toMatchObject({
      serviceName: 'shop-api',
      digest: DIGEST,
      tag: '1.4.2',
    });
  });

  it.each([
    [
      { sourceEnvironment: 'resource:default/Dev_Shop' },
      "environment 'Dev_Shop' is not an environment's name",
    ],
    [
      { sourceEnvironment: 'resource:default/prod-shop' },
      'from prod-shop to itself',
    ],
    [{ component: 'component:default/x"}' }, "is not a component's entity ref"],
    [
      { serviceName: 'Shop_API' },
      "serviceName 'Shop_API' is not a service's name",
    ],
  ])(
    'refuses a bad answer that went around the form: %j',
    async (answerGiven, message) => {
      await expect(
        promote({ granted: [], repository: github, parameters: answerGiven }),
      ).rejects.toThrow(message);
      expect(asked).toEqual([]);
    },
  );
});

describe('kler-promote template.yaml', () => {
  it("reuses kler-service's steps and conditions, and applies only where the portal applies", async () => {
    const promote = await readTemplate('kler-promote');
    const service = await readTemplate('kler-service');
    const shape = (steps: typeof promote.steps) =>
      Object.fromEntries(steps.map(step => [step.id, [step.action, step.if]]));
    const promoteSteps = shape(promote.steps);
    const serviceSteps = shape(service.steps);
    for (const id of [
      'target',
      'fetch',
      'fetchRepository',
      'service',
      'check',
      'plan',
      'publish',
      'pullRequest',
      'mergeRequest',
    ]) {
      expect({ id, step: promoteSteps[id] }).toEqual({
        id,
        step: serviceSteps[id],
      });
    }
    expect(promote.steps.map(step => step.id)).toEqual([
      'target',
      'fetch',
      'fetchRepository',
      'image',
      'service',
      'check',
      'plan',
      'apply',
      'publish',
      'pullRequest',
      'mergeRequest',
    ]);
    expect(promoteSteps.apply).toEqual([
      'kler:terraform:apply',
      "${{ steps.target.output.applyBy == 'portal' }}",
    ]);
    const byId = Object.fromEntries(promote.steps.map(step => [step.id, step]));
    expect(byId.target.input).toEqual({
      environment: '${{ parameters.targetEnvironment }}',
    });
    // The image written is the one the environments backend gave.
    expect(byId.service.input.mapEntries).toEqual([
      {
        variable: 'services',
        key: '${{ steps.image.output.serviceName }}',
        value: '${{ steps.image.output.serviceEntry }}',
        replace: true,
      },
    ]);
    // No answer names an image.
    expect(
      [promote.template.spec.parameters]
        .flat()
        .flatMap((page: { properties: object }) =>
          Object.keys(page.properties),
        ),
    ).toEqual([
      'component',
      'serviceName',
      'sourceEnvironment',
      'targetEnvironment',
    ]);
  });

  it('constrains every answer with a pattern, an enum or bounds', async () => {
    const { template } = await readTemplate('kler-promote');
    expect(unconstrainedParameters(template)).toEqual([]);
  });

  it('the scaffolder refuses bad environment and component names before any step runs (POST /v2/tasks)', async () => {
    const server = await startScaffolder({
      config: terraformTestConfig().get() as any,
      entities: [await templateEntity('kler-promote')],
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { targetEnvironment: 'resource:default/prod" } #' },
        'instance.targetEnvironment',
      ],
      [
        { sourceEnvironment: 'resource:default/Dev_1' },
        'instance.sourceEnvironment',
      ],
      [
        { component: 'component:default/x${file("/etc/passwd")}' },
        'instance.component',
      ],
      [{ serviceName: 'x"' }, 'instance.serviceName'],
    ];
    for (const [answer, property] of cases) {
      const response = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .send({
          templateRef: 'template:default/kler-promote',
          values: { ...promotion, ...answer },
          secrets: {},
        });
      expect({ answer, status: response.status }).toEqual({
        answer,
        status: 400,
      });
      expect(
        response.body.errors.map(
          (error: { property: string }) => error.property,
        ),
      ).toEqual([property]);
    }
  });
});
