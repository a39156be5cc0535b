import { ConfigReader } from '@backstage/config';
import { parse } from '@cdktf/hcl2json';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTerraformCheckAction } from '../actions/check';
import { createFetchLocalGitAction } from '../actions/fetchLocal';
import { createPublishLocalGitAction } from '../actions/publishLocal';
import {
  createTestContext,
  TERRAFORM_BINARY,
  terraformTestConfig,
} from '../__testUtils__/fixtures';
import {
  parseTerraform,
  readTemplate,
  renderTemplate,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

const environment = {
  name: 'dev-svc',
  tier: 'development',
  owner: 'group:default/platform-team',
  awsAccountId: '111111111111',
  awsRegion: 'eu-west-1',
  instanceType: 't3.large',
  capacityMin: 1,
  capacityMax: 3,
  services: [
    {
      name: 'storefront',
      image: 'public.ecr.aws/kler/storefront:2.3.1',
      cpu: 512,
      memory: 1024,
      desiredMin: 1,
      desiredMax: 2,
    },
  ],
  efs: false,
  backupSchedule: 'daily',
  backupRetentionDays: 7,
};

const service = {
  environment: 'resource:default/dev-svc',
  serviceName: 'image-service',
  image: 'public.ecr.aws/kler/image-service:0.9.0',
  cpu: 256,
  memory: 512,
  desiredMin: 1,
  desiredMax: 4,
  containerPort: 8080,
  healthCheckPath: '/health',
  pathPattern: '/images/*',
  listenerPriority: 500,
};

describe('kler-service added to a published kler-environment', () => {
  let root: string;
  let workspacePath: string;
  let environmentDir: string;
  const repository = () => path.join(root, 'environments.git');
  const gitConfig = () =>
    new ConfigReader({
      kler: { environments: { localRepository: repository() } },
    });

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-service-test-'));
    // The environment exists: rendered by kler-environment and published.
    const environmentWorkspace = await renderTemplate(
      'kler-environment',
      environment,
    );
    const publish = createTestContext({
      workspacePath: environmentWorkspace,
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/dev-svc',
      },
    });
    await createPublishLocalGitAction({ config: gitConfig() }).handler(
      publish.ctx as any,
    );
    await fs.rm(environmentWorkspace, { recursive: true, force: true });

    // The kler-service steps: fetch the environment, render the service.
    workspacePath = path.join(root, 'workspace');
    await fs.mkdir(workspacePath);
    const { steps } = await readTemplate('kler-service');
    const fetchStep = steps.find(step => step.id === 'fetch')!;
    const fetch = createTestContext({
      workspacePath,
      input: {
        ...fetchStep.input,
        sourceDirectory: 'environments/dev-svc',
      },
    });
    await createFetchLocalGitAction({ config: gitConfig() }).handler(
      fetch.ctx as any,
    );
    await renderTemplate('kler-service', service, {
      workspacePath,
      context: {
        '${{ steps.environment.output.entity.metadata.name }}': 'dev-svc',
      },
    });
    environmentDir = path.join(workspacePath, 'environment');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('renders one service file beside the environment', async () => {
    const text = await fs.readFile(
      path.join(environmentDir, 'service-image-service.tf'),
      'utf8',
    );
    const parsed = await parse('service-image-service.tf', text);
    const module = parsed.module.service_image_service[0];
    expect(module).toMatchObject({
      source: './modules/ecs-service',
      name: 'image-service',
      image: service.image,
      cpu: 256,
      memory: 512,
      desired_min: 1,
      desired_max: 4,
    });
    const rule = parsed.resource.aws_lb_listener_rule.image_service[0];
    expect(rule.priority).toBe(500);
    expect(rule.condition[0].path_pattern[0].values).toEqual(['/images/*']);
    // The environment it joins is still there.
    await expect(
      fs.stat(path.join(environmentDir, 'main.tf')),
    ).resolves.toBeTruthy();
  });

  it('only references module outputs and locals the environment has', async () => {
    const parsed = await parseTerraform(environmentDir);
    const text = await fs.readFile(
      path.join(environmentDir, 'service-image-service.tf'),
      'utf8',
    );
    const modules = parsed['main.tf'].module as Record<string, any[]>;
    for (const [, moduleName, output] of text.matchAll(
      /module\.(\w+)\.(\w+)/g,
    )) {
      const source: string = modules[moduleName][0].source;
      const outputs = parsed[path.join(source.replace('./', ''), 'outputs.tf')]
        .output as Record<string, unknown>;
      expect({ moduleName, output, exists: output in outputs }).toEqual({
        moduleName,
        output,
        exists: true,
      });
    }
    const locals = parsed['main.tf'].locals[0];
    for (const [, local] of text.matchAll(/local\.(\w+)/g)) {
      expect({ local, exists: local in locals }).toEqual({
        local,
        exists: true,
      });
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
        workingDirectory: 'environment',
        allowUnavailableProviders: true,
      },
    });
    await createTerraformCheckAction({ config: terraformTestConfig() }).handler(
      ctx,
    );
    expect(outputs.passed).toBe(true);
  });

  it('proposes the change on a branch that starts from the environment', async () => {
    const { steps } = await readTemplate('kler-service');
    const publishStep = steps.find(step => step.id === 'publish')!;
    expect(publishStep.input.branch).toBe(
      'add-service-${{ parameters.serviceName }}',
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/dev-svc',
        branch: 'add-service-image-service',
      },
    });
    await createPublishLocalGitAction({ config: gitConfig() }).handler(
      ctx as any,
    );
    expect(outputs.published).toBe(true);
    const files = execFileSync(
      'git',
      ['ls-tree', '-r', '--name-only', 'add-service-image-service'],
      { cwd: repository(), encoding: 'utf8' },
    );
    expect(files).toContain('environments/dev-svc/main.tf');
    expect(files).toContain('environments/dev-svc/service-image-service.tf');
    const mainFiles = execFileSync(
      'git',
      ['ls-tree', '-r', '--name-only', 'main'],
      { cwd: repository(), encoding: 'utf8' },
    );
    expect(mainFiles).not.toContain('service-image-service.tf');
  });
});
