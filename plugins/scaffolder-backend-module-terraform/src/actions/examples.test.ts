import yaml from 'yaml';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createTerraformApplyAction } from './apply';
import { createTerraformCheckAction } from './check';
import { createTerraformOutputAction } from './output';
import { createTerraformPlanAction } from './plan';
import { createProvisionSandboxAction } from './provisionSandbox';
import { createPublishLocalGitAction } from './publishLocal';
import { createFetchLocalGitAction } from './fetchLocal';
import { createResolveTargetAction } from './resolveTarget';
import { createSetVariablesAction } from './setVariables';
import { createWritePipelineConfigAction } from './writePipelineConfig';
import {
  createFixtureWorkspace,
  createTestContext,
  environmentEntity,
  terraformTestOptions,
} from '../__testUtils__/fixtures';

jest.setTimeout(120_000);

/** The config with the local sandbox configured (nothing listens there). */
function withSandbox(config: ConfigReader) {
  const data = structuredClone(config.get()) as any;
  data.kler.environments.sandbox = { adminUrl: 'http://127.0.0.1:9' };
  return new ConfigReader(data);
}

/**
 * Replays every example: each step's input is rendered the simple way the
 * scaffolder would (parameters and earlier steps' outputs) and run in dry-run
 * against the fixture module, so the examples stay valid input.
 */
describe('action examples', () => {
  const options = terraformTestOptions({
    catalog: catalogServiceMock({ entities: [environmentEntity('example')] }),
    permissions: mockServices.permissions(),
  });
  const repository = path.join(
    os.tmpdir(),
    `kler-examples-${process.pid}-${Date.now()}.git`,
  );
  const gitConfig = new ConfigReader({
    kler: { environments: { localRepository: repository } },
  });
  const all = [
    createResolveTargetAction(options),
    createSetVariablesAction(),
    createWritePipelineConfigAction(options),
    createTerraformCheckAction(options),
    createTerraformPlanAction(options),
    createTerraformApplyAction(options),
    createTerraformOutputAction(options),
    createPublishLocalGitAction({ config: gitConfig }),
    createFetchLocalGitAction({ config: gitConfig }),
    createProvisionSandboxAction({
      ...options,
      config: withSandbox(options.config),
    }),
  ];

  // The fetch example reads environments/example from a local repository.
  beforeAll(async () => {
    const workspacePath = await createFixtureWorkspace();
    const { ctx } = createTestContext({
      workspacePath,
      input: {
        sourcePath: 'terraform',
        targetDirectory: 'environments/example',
      },
    });
    await createPublishLocalGitAction({ config: gitConfig }).handler(
      ctx as any,
    );
    await fs.rm(workspacePath, { recursive: true, force: true });
  });
  afterAll(async () => {
    await fs.rm(repository, { recursive: true, force: true });
  });
  const parameters = {
    name: 'example',
    environment: 'resource:default/example',
    serviceName: 'image-service',
    image: 'public.ecr.aws/kler/image-service:1.0.0',
  };

  function render(value: unknown, steps: Record<string, any>): unknown {
    const lookup = (root: string, key: string) =>
      key
        .split('.')
        .reduce(
          (at: any, part) => at?.[part],
          root === 'parameters' ? parameters : steps,
        );
    // A lone expression keeps its value's type, as in the scaffolder.
    const whole =
      typeof value === 'string' &&
      /^\$\{\{\s*(parameters|steps)\.([\w.]+)\s*\}\}$/.exec(value);
    if (whole && typeof lookup(whole[1], whole[2]) === 'boolean') {
      return lookup(whole[1], whole[2]);
    }
    if (typeof value === 'string') {
      return value.replace(
        /\$\{\{\s*(parameters|steps)\.([\w.]+)\s*\}\}/g,
        (_all, root, key: string) => String(lookup(root, key) ?? ''),
      );
    }
    if (Array.isArray(value)) return value.map(item => render(item, steps));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, render(v, steps)]),
      );
    }
    return value;
  }

  // In dry-run, plan, apply and output say they were skipped.
  function expectedSkipped(id: string) {
    return [
      'kler:terraform:plan',
      'kler:terraform:apply',
      'kler:terraform:output',
    ].includes(id)
      ? true
      : undefined;
  }

  for (const action of all) {
    it.each(action.examples!.map(example => [example.description, example]))(
      `${action.id}: %s`,
      async (_description, example) => {
        const workspacePath = await createFixtureWorkspace();
        try {
          await fs.mkdir(path.join(workspacePath, 'environment'));
          const { steps } = yaml.parse(example.example);
          expect(steps[0].action).toBe(action.id);
          // Outputs of a plan step, as the apply and output examples reference them.
          const previous = {
            plan: { output: { planFile: '', planSha256: '', skipReason: '' } },
            apply: { output: { skipReason: '', applied: false } },
            target: { output: { tier: 'development' } },
          };
          const input = render(steps[0].input, previous) as Record<string, any>;
          const { ctx, outputs } = createTestContext({
            workspacePath,
            isDryRun: true,
            input: {
              ...input,
              workingDirectory: input.workingDirectory ?? 'terraform',
            },
          });
          await action.handler(ctx as any);
          expect(Object.keys(outputs).length).toBeGreaterThan(0);
          expect(outputs.commitHash ?? 'none').not.toBe('');
          expect(outputs.skipped).toBe(expectedSkipped(action.id));
        } finally {
          await fs.rm(workspacePath, { recursive: true, force: true });
        }
      },
    );
  }
});
