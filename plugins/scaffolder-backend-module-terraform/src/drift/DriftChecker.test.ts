import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentRunReport } from '@kler/plugin-environments-common';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createRecordingLogger,
  environmentEntity,
  terraformTestConfig,
  TERRAFORM_BINARY,
} from '../__testUtils__/fixtures';
import { TerraformRunLimiter } from '../terraform/runLimiter';
import { DriftChecker } from './DriftChecker';

jest.setTimeout(180_000);

function git(args: string[], cwd: string) {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=KLER test',
      '-c',
      'user.email=test@kler.test',
      '-c',
      'core.hooksPath=/dev/null',
      ...args,
    ],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** An environment's code with only terraform_data and its state in `statePath`. */
function environmentCode(statePath: string | undefined, size: string) {
  return {
    'main.tf': `terraform {
${statePath ? `  backend "local" {\n    path = "${statePath}"\n  }\n` : ''}}

variable "size" {
  type = string
}

resource "terraform_data" "app" {
  input = var.size
}

output "size" {
  value = terraform_data.app.output
}
`,
    'terraform.tfvars.json': JSON.stringify({ size }),
  };
}

describe('DriftChecker (real CLI, local state)', () => {
  let root: string;
  let bare: string;
  let work: string;
  let stateDirectory: string;

  async function commit(files: Record<string, string>, message: string) {
    for (const [file, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await fs.writeFile(path.join(work, file), text);
    }
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', message], work);
    git(['push', '--quiet', 'origin', 'HEAD:main'], work);
  }

  async function commitEnvironment(
    name: string,
    code: Record<string, string>,
    message = `Change ${name}`,
  ) {
    await commit(
      Object.fromEntries(
        Object.entries(code).map(([file, text]) => [
          `environments/${name}/${file}`,
          text,
        ]),
      ),
      message,
    );
  }

  /** Applies the committed code once, as the environment's creation did. */
  function applyEnvironment(name: string) {
    const directory = path.join(work, 'environments', name);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_DATA_DIR: path.join(root, `apply-data-${name}`),
    };
    for (const args of [
      ['init', '-input=false', '-no-color'],
      ['apply', '-auto-approve', '-input=false', '-no-color'],
    ]) {
      execFileSync(TERRAFORM_BINARY, args, {
        cwd: directory,
        env,
        stdio: 'pipe',
      });
    }
  }

  async function stateHash(name: string) {
    return createHash('sha256')
      .update(await fs.readFile(path.join(stateDirectory, `${name}.tfstate`)))
      .digest('hex');
  }

  function createChecker(
    entities = [environmentEntity('staging')],
    terraform: Record<string, unknown> = {},
  ) {
    const data = terraformTestConfig({
      allowedBackends: ['s3', 'local'],
      ...terraform,
    }).get() as any;
    data.kler.environments.localRepository = bare;
    const config = new ConfigReader(data);
    const recorded: Array<{ name: string; report: EnvironmentRunReport }> = [];
    const runRecorder = {
      record: jest.fn(async (name: string, report: EnvironmentRunReport) => {
        recorded.push({ name, report });
      }),
    };
    const { logger, lines } = createRecordingLogger();
    const checker = new DriftChecker({
      config,
      logger,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      catalog: catalogServiceMock({ entities }),
      runRecorder,
      awsCredentialsManager: DefaultAwsCredentialsManager.fromConfig(config),
      limiter: new TerraformRunLimiter(2),
    });
    return { checker, recorded, runRecorder, lines };
  }

  beforeEach(async () => {
    root = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'kler-drift-test-')),
    );
    bare = path.join(root, 'environments.git');
    work = path.join(root, 'work');
    stateDirectory = path.join(root, 'state');
    git(['init', '--quiet', '--bare', '--initial-branch=main', bare], root);
    git(['clone', '--quiet', bare, work], root);
    await commit({ 'README.md': 'KLER environments\n' }, 'Start');
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('finds no drift in unchanged code, then the changed input with its summary, and changes no state', async () => {
    const statePath = path.join(stateDirectory, 'staging.tfstate');
    await commitEnvironment('staging', environmentCode(statePath, 'small'));
    applyEnvironment('staging');
    const before = await stateHash('staging');
    const { checker, recorded, lines } = createChecker();

    const unchanged = await checker.checkAll();
    expect(unchanged).toEqual([
      {
        environment: 'staging',
        report: {
          kind: 'drift',
          source: 'schedule',
          outcome: 'succeeded',
          at: expect.any(String),
          message: 'No drift: the resources are as the code says',
          summary: {
            add: 0,
            change: 0,
            destroy: 0,
            replace: 0,
            byType: {},
            outputChanges: 0,
          },
        },
      },
    ]);
    expect(recorded).toEqual([
      { name: 'staging', report: unchanged[0].report },
    ]);
    const log = lines.join('\n');
    expect(log).toContain('-detailed-exitcode -lock=false -input=false');
    expect(log).toContain('Drift check of staging: succeeded: No drift');

    await commitEnvironment(
      'staging',
      { 'terraform.tfvars.json': JSON.stringify({ size: 'large' }) },
      'Make staging large',
    );
    const [drifted] = await checker.checkAll();
    expect(drifted.report).toEqual({
      kind: 'drift',
      source: 'schedule',
      outcome: 'succeeded',
      at: expect.any(String),
      message: 'Drift: 0 to add, 1 to change, 0 to destroy, 0 to replace',
      summary: {
        add: 0,
        change: 1,
        destroy: 0,
        replace: 0,
        byType: {
          terraform_data: { add: 0, change: 1, destroy: 0, replace: 0 },
        },
        outputChanges: 1,
      },
    });
    expect(recorded).toHaveLength(2);
    // Read-only: the state is as the apply left it, and not locked.
    expect(await stateHash('staging')).toBe(before);
    await expect(
      fs.stat(path.join(stateDirectory, '.terraform.tfstate.lock.info')),
    ).rejects.toThrow();
  });

  it('checks only environments with code in the repository, a trusted entity and an account of kler.terraform.accounts', async () => {
    for (const name of ['staging', 'elsewhere', 'untrusted']) {
      await commitEnvironment(
        name,
        environmentCode(path.join(stateDirectory, `${name}.tfstate`), 'small'),
      );
    }
    applyEnvironment('staging');
    const { checker, recorded, lines } = createChecker([
      environmentEntity('staging'),
      environmentEntity('elsewhere', { accountId: '333333333333' }),
      environmentEntity('untrusted', {
        origin: 'url:https://git.example.test/someone/catalog.yaml',
      }),
      environmentEntity('not-in-repository'),
    ]);
    await checker.checkAll();
    expect(recorded.map(r => r.name)).toEqual(['staging']);
    const log = lines.join('\n');
    expect(log).toContain(
      'Drift check of elsewhere skipped: AWS account 333333333333 is not one of kler.terraform.accounts',
    );
    expect(log).toContain(
      'Drift check of untrusted skipped: resource:default/untrusted comes from url:https://git.example.test/someone/catalog.yaml, which is not one of kler.environments.trustedLocations',
    );
    expect(log).toContain(
      'Drift check of not-in-repository skipped: environments/not-in-repository is not in the environments repository',
    );
  });

  it('records a failed check with the error, and a skipped one for code whose state is not shared; one does not stop the others', async () => {
    const broken = environmentCode(
      path.join(stateDirectory, 'broken.tfstate'),
      'small',
    );
    broken['main.tf'] +=
      '\nresource "terraform_data" "x" {\n  input = var.nope\n}\n';
    await commitEnvironment('broken', broken);
    await commitEnvironment('unshared', environmentCode(undefined, 'small'));
    await commitEnvironment('relative', environmentCode('state.tfstate', 'a'));
    await commitEnvironment('refused', {
      'main.tf':
        'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
    });
    const { checker, recorded } = createChecker([
      environmentEntity('broken'),
      environmentEntity('unshared'),
      environmentEntity('relative'),
      environmentEntity('refused'),
    ]);
    await checker.checkAll();
    const byName = Object.fromEntries(recorded.map(r => [r.name, r.report]));
    expect(byName.broken).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining(
        'terraform plan failed (exit code 1): Error: Reference to undeclared input variable',
      ),
    });
    expect(byName.broken.summary).toBeUndefined();
    expect(byName.unshared).toMatchObject({
      outcome: 'skipped',
      message: expect.stringContaining('the code declares no backend'),
    });
    expect(byName.relative).toMatchObject({
      outcome: 'skipped',
      message: expect.stringContaining('no absolute path'),
    });
    expect(byName.refused).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining(
        'The Terraform configuration was refused before init',
      ),
    });
  });

  it('inits other backends with the state key over kler.terraform.backendConfig', async () => {
    await commitEnvironment('shop', {
      'main.tf':
        'terraform {\n  backend "s3" {\n    use_lockfile = true\n  }\n}\n\nresource "terraform_data" "x" {}\n',
    });
    const { checker, recorded, lines } = createChecker(
      [environmentEntity('shop')],
      {
        backendConfig: {
          bucket: 'kler-state',
          region: 'eu-west-1',
          // Fails at once, offline: no S3 is reachable from here.
          endpoint: 'http://127.0.0.1:9',
          skip_credentials_validation: 'true',
          skip_requesting_account_id: 'true',
          max_retries: '0',
        },
      },
    );
    await checker.checkAll();
    expect(lines.join('\n')).toContain(
      '-backend-config=bucket=kler-state -backend-config=region=eu-west-1',
    );
    expect(lines.join('\n')).toContain(
      '-backend-config=key=environments/shop/terraform.tfstate',
    );
    expect(recorded[0].report).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^terraform init failed: /),
    });
  });

  it('goes on with the next environment when recording fails, with a warning', async () => {
    for (const name of ['alpha', 'beta']) {
      await commitEnvironment(
        name,
        environmentCode(path.join(stateDirectory, `${name}.tfstate`), 'small'),
      );
      applyEnvironment(name);
    }
    const { checker, runRecorder, lines } = createChecker([
      environmentEntity('alpha'),
      environmentEntity('beta'),
    ]);
    runRecorder.record.mockRejectedValueOnce(new Error('HTTP 503'));
    const results = await checker.checkAll();
    expect(results.map(r => r.environment)).toEqual(['alpha', 'beta']);
    expect(runRecorder.record).toHaveBeenCalledTimes(2);
    expect(lines).toContain(
      'Could not record the drift check of alpha in its history: Error: HTTP 503',
    );
  });
});
