import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createFetchPlainAction } from '@backstage/plugin-scaffolder-backend';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTerraformCheckAction } from '../actions/check';
import { createFetchLocalGitAction } from '../actions/fetchLocal';
import { createPublishLocalGitAction } from '../actions/publishLocal';
import { createResolveTargetAction } from '../actions/resolveTarget';
import {
  createTestContext,
  environmentEntity,
  TERRAFORM_BINARY,
  terraformTestConfig,
  terraformTestOptions,
} from '../__testUtils__/fixtures';
import {
  ENVIRONMENT_TERRAFORM_DIR,
  evaluateTerraformLocals,
  listFiles,
  permissionsGranting,
  readTemplate,
  readTerraformFiles,
  RecordedCall,
  recordingAction,
  renderStepInput,
  runTemplateSteps,
  startScaffolder,
  TEMPLATE_TEST_USER,
  templateEntity,
  TEMPLATES_DIR,
  unconstrainedParameters,
  workspaceEnvironmentPath,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

const environment = {
  name: 'dev-svc',
  title: 'Development for services',
  owner: 'group:default/platform-team',
  awsAccountId: '111111111111',
  awsRegion: 'eu-west-1',
  instanceType: 't3.large',
  capacityMin: 1,
  capacityMax: 3,
  services: [
    {
      name: 'storefront',
      imageTag: '2.3.1',
      cpu: 512,
      memory: 1024,
      desiredMin: 1,
      desiredMax: 2,
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

const service = {
  environment: 'resource:default/dev-svc',
  serviceName: 'image-service',
  imageRepository:
    '111111111111.dkr.ecr.eu-west-1.amazonaws.com/kler/image-service',
  imageTag: '0.9.0',
  cpu: 256,
  memory: 512,
  desiredMin: 1,
  desiredMax: 4,
  containerPort: 8081,
  healthCheckPath: '/ready',
  pathPatterns: ['/images/*', '/thumbnails/*'],
  secrets: ['THUMBNAIL_SIGNING_KEY'],
  listenerPriority: 500,
};

const LOCALS = ['services'];

async function readVariables(dir: string) {
  return JSON.parse(
    await fs.readFile(path.join(dir, 'terraform.tfvars.json'), 'utf8'),
  );
}

describe('kler-service added to a published kler-environment', () => {
  let root: string;
  const repository = () => path.join(root, 'environments.git');
  const gitConfig = () =>
    new ConfigReader({
      kler: { environments: { localRepository: repository() } },
    });
  /** The kler-service actions that need the catalog and the repository. */
  const serviceActions = () => ({
    'kler:environment:resolveTarget': createResolveTargetAction(
      terraformTestOptions({
        catalog: catalogServiceMock({
          entities: [environmentEntity('dev-svc')],
        }),
        permissions: mockServices.permissions(),
      }),
    ),
    'kler:git:fetchLocal': createFetchLocalGitAction({ config: gitConfig() }),
  });
  const addService = (
    parameters: Record<string, unknown>,
    workspacePath?: string,
  ) =>
    runTemplateSteps('kler-service', parameters, {
      workspacePath,
      actions: serviceActions(),
    });

  let published: Record<string, any>;
  let workspacePath: string;
  let environmentDir: string;
  let context: Awaited<ReturnType<typeof runTemplateSteps>>['context'];

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-service-test-'));
    // The environment exists: run by kler-environment and published.
    const created = await runTemplateSteps('kler-environment', environment);
    const publish = createTestContext({
      workspacePath: created.workspacePath,
      input: {
        sourcePath: workspaceEnvironmentPath('dev-svc'),
        targetDirectory: 'environments/dev-svc',
        mode: 'create',
      },
    });
    await createPublishLocalGitAction({ config: gitConfig() }).handler(
      publish.ctx as any,
    );
    published = await readVariables(
      path.join(created.workspacePath, workspaceEnvironmentPath('dev-svc')),
    );
    await fs.rm(created.workspacePath, { recursive: true, force: true });

    ({ workspacePath, context } = await addService(service));
    environmentDir = path.join(
      workspacePath,
      workspaceEnvironmentPath('dev-svc'),
    );
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('adds the service as one entry of the services variable and changes no .tf file', async () => {
    expect(context.steps.target.output).toMatchObject({
      accountId: '111111111111',
      region: 'eu-west-1',
      tier: 'development',
      environment: 'resource:default/dev-svc',
      delivery: 'local',
    });
    expect(await readVariables(environmentDir)).toEqual({
      ...published,
      services: {
        ...published.services,
        'image-service': {
          image_tag: '0.9.0',
          image_repository: service.imageRepository,
          cpu: 256,
          memory: 512,
          desired_min: 1,
          desired_max: 4,
          container_port: 8081,
          health_check_path: '/ready',
          path_patterns: ['/images/*', '/thumbnails/*'],
          secrets: ['THUMBNAIL_SIGNING_KEY'],
          priority: 500,
        },
      },
    });
    expect(await readTerraformFiles(environmentDir)).toEqual(
      await readTerraformFiles(ENVIRONMENT_TERRAFORM_DIR),
    );
  });

  it("Terraform places the service where asked and the environment's own services where they were", async () => {
    const { exitCode, stderr, locals } = await evaluateTerraformLocals(
      environmentDir,
      await readVariables(environmentDir),
      LOCALS,
    );
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(locals!.services).toMatchObject({
      storefront: { path_patterns: ['/*'], priority: 999 },
      'image-service': {
        path_patterns: ['/images/*', '/thumbnails/*'],
        priority: 500,
        container_port: 8081,
      },
    });
  });

  it('the service gets its ECR repository, roles and secret, and runs the pinned image', async () => {
    const { stderr, locals } = await evaluateTerraformLocals(
      environmentDir,
      await readVariables(environmentDir),
      ['service_names', 'service_secrets', 'running_services'],
    );
    expect(stderr).toBe('');
    expect(locals!.service_names['image-service']).toMatchObject({
      ecr_repository: 'kler/dev-svc/image-service',
      execution_role: 'dev-svc-image-service-execution',
      task_role: 'dev-svc-image-service-task',
    });
    expect(locals!.service_secrets).toEqual({
      'image-service/THUMBNAIL_SIGNING_KEY':
        '/kler/dev-svc/image-service/THUMBNAIL_SIGNING_KEY',
    });
    expect(locals!.running_services['image-service'].image).toBe(
      `${service.imageRepository}:0.9.0`,
    );
    expect(Object.keys(locals!.running_services).sort()).toEqual([
      'image-service',
      'storefront',
    ]);
  });

  it('without paths of its own, a service answers /<name>/*', async () => {
    const { pathPatterns, ...withoutPaths } = service;
    const run = await addService({
      ...withoutPaths,
      serviceName: 'thumbs',
      listenerPriority: 510,
    });
    try {
      const dir = path.join(
        run.workspacePath,
        workspaceEnvironmentPath('dev-svc'),
      );
      const variables = await readVariables(dir);
      expect(variables.services.thumbs).not.toHaveProperty('path_patterns');
      const { locals } = await evaluateTerraformLocals(dir, variables, LOCALS);
      expect(locals!.services.thumbs).toMatchObject({
        path_patterns: ['/thumbs/*'],
        priority: 510,
      });
    } finally {
      await fs.rm(run.workspacePath, { recursive: true, force: true });
    }
  });

  it("a priority another service has fails the environment's plan, naming the reason", async () => {
    const variables = await readVariables(environmentDir);
    variables.services.thumbs = {
      ...variables.services['image-service'],
      path_patterns: ['/thumbs/*'],
    };
    const rootModule = await evaluateTerraformLocals(
      environmentDir,
      variables,
      [...LOCALS, 'service_names'],
    );
    expect(rootModule.exitCode).toBe(0);
    const { services, service_names: names } = rootModule.locals!;
    // What main.tf gives the load balancer module.
    const loadBalancer = await evaluateTerraformLocals(
      path.join(environmentDir, 'modules', 'alb'),
      {
        name: 'kler-dev-svc',
        names: {
          load_balancer: 'kler-dev-svc',
          access_logs_bucket: 'kler-dev-svc-alb-logs-111111111111',
        },
        domain_name: 'shop.kler.example',
        hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
        account_id: '111111111111',
        access_log_retention_days: 30,
        force_destroy: true,
        vpc_id: 'vpc-1',
        vpc_cidr_block: '10.0.0.0/16',
        subnet_ids: ['subnet-1', 'subnet-2'],
        deletion_protection: false,
        tags: {},
        services: Object.fromEntries(
          Object.entries<Record<string, unknown>>(services).map(
            ([name, entry]) => [
              name,
              {
                target_group_name: names[name].target_group,
                container_port: entry.container_port,
                health_check_path: entry.health_check_path,
                path_patterns: entry.path_patterns,
                priority: entry.priority,
              },
            ],
          ),
        ),
      },
      [],
    );
    expect(loadBalancer.exitCode).not.toBe(0);
    expect(loadBalancer.stderr).toContain(
      'Two services have the same listener rule priority',
    );
  });

  it('a service of that name already in the environment is an error, and nothing is written', async () => {
    const dir = await fs.mkdtemp(path.join(root, 'workspace-'));
    await expect(
      addService({ ...service, serviceName: 'storefront' }, dir),
    ).rejects.toThrow(
      'services already has an entry storefront in terraform.tfvars.json; nothing was written',
    );
    expect(
      await readVariables(path.join(dir, workspaceEnvironmentPath('dev-svc'))),
    ).toEqual(published);
  });

  it('keeps answers that went around the form as data, which Terraform refuses', async () => {
    const imageRepository =
      'evil/x" } resource "terraform_data" "q" { input = "${file("/etc/passwd")}';
    const run = await addService({
      ...service,
      serviceName: 'evil',
      imageRepository,
      pathPatterns: ['/x" ]'],
      listenerPriority: 520,
    });
    try {
      const dir = path.join(
        run.workspacePath,
        workspaceEnvironmentPath('dev-svc'),
      );
      expect(await readTerraformFiles(dir)).toEqual(
        await readTerraformFiles(ENVIRONMENT_TERRAFORM_DIR),
      );
      const variables = await readVariables(dir);
      expect(variables.services.evil).toMatchObject({
        image_repository: imageRepository,
        path_patterns: ['/x" ]'],
      });
      const evaluation = await evaluateTerraformLocals(dir, variables, LOCALS);
      expect(evaluation.exitCode).not.toBe(0);
      expect(evaluation.stderr).toContain(
        "A service's image_repository is a repository",
      );
    } finally {
      await fs.rm(run.workspacePath, { recursive: true, force: true });
    }
  });

  it('passes terraform fmt and the check action', async () => {
    expect(() =>
      execFileSync(TERRAFORM_BINARY, ['fmt', '-check', '-recursive'], {
        cwd: environmentDir,
        env: { PATH: process.env.PATH },
        stdio: 'pipe',
      }),
    ).not.toThrow();
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: workspaceEnvironmentPath('dev-svc'),
        allowUnavailableProviders: true,
      },
    });
    await createTerraformCheckAction(terraformTestOptions()).handler(ctx);
    expect(outputs.passed).toBe(true);
  });

  it('proposes the change on a branch of its own that starts from the environment', async () => {
    const { steps } = await readTemplate('kler-service');
    const publishStep = steps.find(step => step.id === 'publish')!;
    const input = renderStepInput(publishStep.input, context);
    expect(input).toEqual({
      sourcePath: 'repository/environments/dev-svc',
      targetDirectory: 'environments/dev-svc',
      branch: 'add-service-image-service',
      mode: 'propose',
      commitMessage: 'Add service image-service to dev-svc',
    });
    const { ctx, outputs } = createTestContext({ workspacePath, input });
    await createPublishLocalGitAction({ config: gitConfig() }).handler(
      ctx as any,
    );
    expect(outputs.published).toBe(true);
    const show = (ref: string) =>
      JSON.parse(
        execFileSync(
          'git',
          ['show', `${ref}:environments/dev-svc/terraform.tfvars.json`],
          { cwd: repository(), encoding: 'utf8' },
        ),
      );
    expect(Object.keys(show('add-service-image-service').services)).toEqual([
      'storefront',
      'image-service',
    ]);
    expect(Object.keys(show('main').services)).toEqual(['storefront']);
  });
});

describe('kler-service with the environments repository on GitHub or GitLab', () => {
  let root: string;
  /** The environment as the default branch holds it. */
  let defaultBranchDir: string;
  let published: Record<string, any>;
  const workspaces: string[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-service-hosted-'));
    const created = await runTemplateSteps('kler-environment', environment);
    defaultBranchDir = path.join(root, 'main', 'environments', 'dev-svc');
    await fs.cp(
      path.join(created.workspacePath, workspaceEnvironmentPath('dev-svc')),
      defaultBranchDir,
      { recursive: true },
    );
    published = await readVariables(defaultBranchDir);
    await fs.rm(created.workspacePath, { recursive: true, force: true });
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    for (const workspace of workspaces) {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'GitHub',
      {
        type: 'github',
        repoUrl: 'github.com?owner=kler&repo=environments',
      },
      'https://github.com/kler/environments/tree/main/environments/dev-svc',
      'publish:github:pull-request',
    ],
    [
      'GitLab',
      {
        type: 'gitlab',
        repoUrl: 'gitlab.com?owner=kler&repo=environments',
      },
      'https://gitlab.com/kler/environments/-/tree/main/environments/dev-svc',
      'publish:gitlab:merge-request',
    ],
  ])(
    'on %s, for a user who may not provision, fetches the environment from the default branch, runs no Terraform and proposes the change',
    async (host, repository, treeUrl, proposeAction) => {
      const read: string[] = [];
      const reader = mockServices.urlReader.mock({
        readTree: async (url: string) => {
          read.push(url);
          return {
            dir: async (options?: { targetDir?: string }) => {
              await fs.cp(defaultBranchDir, options!.targetDir!, {
                recursive: true,
              });
              return options!.targetDir!;
            },
          } as any;
        },
      });
      const calls: RecordedCall[] = [];
      const run = await runTemplateSteps('kler-service', service, {
        actions: {
          'kler:environment:resolveTarget': createResolveTargetAction(
            terraformTestOptions({
              catalog: catalogServiceMock({
                entities: [environmentEntity('dev-svc')],
              }),
              permissions: permissionsGranting([]),
              environments: { repository },
            }),
          ),
          'fetch:plain': createFetchPlainAction({
            reader,
            integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
          }),
          ...Object.fromEntries(
            [
              'kler:git:fetchLocal',
              'kler:terraform:check',
              'kler:terraform:plan',
              'kler:git:publishLocal',
              'publish:github:pull-request',
              'publish:gitlab:merge-request',
            ].map(id => [id, recordingAction(id, calls)]),
          ),
        },
      });
      workspaces.push(run.workspacePath);

      expect(read).toEqual([treeUrl]);
      expect(run.ran).toEqual([
        'target',
        'fetchRepository',
        'service',
        host === 'GitHub' ? 'pullRequest' : 'mergeRequest',
      ]);
      expect(calls.map(call => call.id)).toEqual([proposeAction]);

      // The workspace holds the environment's directory and nothing else; the
      // proposal changes only its values.
      const environmentDir = path.join(
        run.workspacePath,
        workspaceEnvironmentPath('dev-svc'),
      );
      expect(
        await listFiles(path.join(run.workspacePath, 'repository')),
      ).toEqual(
        (await listFiles(defaultBranchDir)).map(
          file => `environments/dev-svc/${file}`,
        ),
      );
      expect(await readVariables(environmentDir)).toEqual({
        ...published,
        services: {
          ...published.services,
          'image-service': expect.objectContaining({
            image_tag: '0.9.0',
            priority: 500,
          }),
        },
      });
      expect(calls[0].input).toEqual({
        repoUrl: repository.repoUrl,
        targetBranchName: 'main',
        branchName: 'add-service-image-service',
        sourcePath: 'repository',
        title: 'Add service image-service to dev-svc',
        ...(host === 'GitHub'
          ? { commitMessage: 'Add service image-service to dev-svc' }
          : {}),
        description: `Proposed from the portal by ${TEMPLATE_TEST_USER}. The pipeline checks and plans it here and applies it once merged.`,
      });
    },
  );

  it('with the local repository, a user who may not provision is refused before anything is fetched', async () => {
    await expect(
      runTemplateSteps('kler-service', service, {
        actions: {
          'kler:environment:resolveTarget': createResolveTargetAction(
            terraformTestOptions({
              catalog: catalogServiceMock({
                entities: [environmentEntity('dev-svc')],
              }),
              permissions: permissionsGranting([]),
            }),
          ),
        },
      }),
    ).rejects.toThrow(
      /may not apply from the portal: .*there is no pipeline to hand the change to/,
    );
  });
});

describe('kler-service template.yaml', () => {
  it('decides the target on the server and adds the service as data', async () => {
    const { steps } = await readTemplate('kler-service');
    expect(steps.map(step => [step.id, step.action, step.if])).toEqual([
      ['target', 'kler:environment:resolveTarget', undefined],
      [
        'fetch',
        'kler:git:fetchLocal',
        "${{ steps.target.output.delivery == 'local' }}",
      ],
      [
        'fetchRepository',
        'fetch:plain',
        "${{ steps.target.output.delivery != 'local' }}",
      ],
      ['service', 'kler:environment:setVariables', undefined],
      [
        'check',
        'kler:terraform:check',
        "${{ steps.target.output.applyBy == 'portal' }}",
      ],
      [
        'plan',
        'kler:terraform:plan',
        "${{ steps.target.output.applyBy == 'portal' }}",
      ],
      [
        'publish',
        'kler:git:publishLocal',
        "${{ steps.target.output.delivery == 'local' }}",
      ],
      [
        'pullRequest',
        'publish:github:pull-request',
        "${{ steps.target.output.delivery == 'github' }}",
      ],
      [
        'mergeRequest',
        'publish:gitlab:merge-request',
        "${{ steps.target.output.delivery == 'gitlab' }}",
      ],
    ]);
    const byId = Object.fromEntries(steps.map(step => [step.id, step]));
    expect(byId.target.input).toEqual({
      environment: '${{ parameters.environment }}',
    });
    expect(byId.plan.input).toMatchObject({
      environment: '${{ parameters.environment }}',
    });
    expect(byId.plan.input).not.toHaveProperty('awsAccountId');
    expect(byId.service.input.mapEntries).toHaveLength(1);
    expect(byId.service.input.mapEntries[0]).not.toHaveProperty('replace');
    await expect(
      fs.stat(path.join(TEMPLATES_DIR, 'kler-service', 'skeleton')),
    ).rejects.toThrow(/ENOENT/);
  });

  it('constrains every answer with a pattern, an enum or bounds', async () => {
    const { template } = await readTemplate('kler-service');
    expect(unconstrainedParameters(template)).toEqual([]);
  });

  it('the scaffolder refuses hostile answers before any step runs (POST /v2/tasks)', async () => {
    const server = await startScaffolder({
      config: terraformTestConfig().get() as any,
      entities: [await templateEntity('kler-service')],
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { environment: 'resource:default/dev-svc" } #' },
        'instance.environment',
      ],
      [{ serviceName: 'x${file("/etc/passwd")}' }, 'instance.serviceName'],
      [{ imageTag: 'a" } module "x" {' }, 'instance.imageTag'],
      [{ imageTag: 'latest' }, 'instance.imageTag'],
      [{ imageRepository: 'a/b:1.0' }, 'instance.imageRepository'],
      [{ pathPatterns: ['/ok/*', '/x"]'] }, 'instance.pathPatterns[1]'],
      [{ healthCheckPath: '/health\n' }, 'instance.healthCheckPath'],
    ];
    for (const [answer, property] of cases) {
      const response = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .send({
          templateRef: 'template:default/kler-service',
          values: { ...service, ...answer },
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
