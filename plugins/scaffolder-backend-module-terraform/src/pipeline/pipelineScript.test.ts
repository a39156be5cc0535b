import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TERRAFORM_BINARY } from '../__testUtils__/fixtures';
import { PIPELINE_FOLDERS, PIPELINE_SCRIPT } from '../__testUtils__/pipeline';
import { summarizePlan } from '../terraform/planSummary';
import { buildPipelineConfig, ENVIRONMENT_NAME } from './pipelineConfig';

jest.setTimeout(120_000);

const run = promisify(execFile);

/**
 * .kler-pipeline/pipeline.sh with the real bash, git, jq and Terraform, over an
 * environments repository whose environments use only terraform_data and
 * local state. A `terraform` on PATH records the -backend-config arguments
 * (the code has no backend a test can reach) and runs the real one.
 */
describe('.kler-pipeline/pipeline.sh', () => {
  let repo: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;

  const git = (...args: string[]) =>
    run(
      'git',
      ['-c', 'user.name=KLER', '-c', 'user.email=kler@kler.invalid', ...args],
      { cwd: repo },
    );
  const pipeline = (args: string[], more: NodeJS.ProcessEnv = {}) =>
    run('bash', ['.kler-pipeline/pipeline.sh', ...args], {
      cwd: repo,
      env: { ...env, ...more },
    }).then(
      result => ({ code: 0, ...result }),
      error => ({
        code: error.code as number,
        stdout: error.stdout as string,
        stderr: error.stderr as string,
      }),
    );

  async function writeEnvironment(
    name: string,
    greeting: string,
    overrides: object = {},
  ) {
    const dir = path.join(repo, 'environments', name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(
      path.join(dir, 'main.tf'),
      `variable "greeting" {\n  type = string\n}\n\nresource "terraform_data" "greeting" {\n  input            = var.greeting\n  triggers_replace = var.greeting\n}\n\noutput "greeting" {\n  value = terraform_data.greeting.output\n}\n`,
    );
    await fs.writeFile(
      path.join(dir, 'terraform.tfvars.json'),
      JSON.stringify({ greeting }),
    );
    const config = {
      ...buildPipelineConfig({
        environment: name,
        target: {
          accountId: '111111111111',
          region: 'eu-west-1',
          tier: 'development',
        },
        backendConfig: { bucket: 'kler-terraform-state', region: 'eu-west-1' },
      }),
      ...overrides,
    };
    await fs.writeFile(
      path.join(dir, 'pipeline.json'),
      JSON.stringify(config, null, 2),
    );
  }

  beforeAll(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-pipeline-sh-'));
    bin = path.join(repo, '..', `${path.basename(repo)}-bin`);
    await fs.mkdir(bin);
    const realTerraform = (
      await run('bash', ['-c', `command -v ${TERRAFORM_BINARY}`])
    ).stdout.trim();
    await fs.writeFile(
      path.join(bin, 'terraform'),
      `#!/usr/bin/env bash\nargs=()\nfor a in "$@"; do\n  case "$a" in\n    -backend-config=*) echo "$a" >> "$BACKEND_LOG" ;;\n    *) args+=("$a") ;;\n  esac\ndone\nexec ${realTerraform} "\${args[@]}"\n`,
      { mode: 0o755 },
    );
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: repo,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      BACKEND_LOG: path.join(bin, 'backend-config.log'),
    };
    await run('git', ['init', '-q', '-b', 'main', repo]);
    await fs.cp(PIPELINE_FOLDERS.common, repo, { recursive: true });
    await git('add', '-A');
    await git('commit', '-q', '-m', 'pipeline');
  });
  afterAll(async () => {
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(bin, { recursive: true, force: true });
  });

  it("checks names with the portal's pattern", async () => {
    const script = await fs.readFile(PIPELINE_SCRIPT, 'utf8');
    expect(script).toContain(`NAME_PATTERN='${ENVIRONMENT_NAME.source}'`);
  });

  it('lists the changed environments with what the jobs need, and refuses a pipeline.json the portal would not write', async () => {
    const base = (await git('rev-parse', 'HEAD')).stdout.trim();
    await writeEnvironment('staging', 'hello');
    await writeEnvironment('sandbox', 'hi');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'two environments');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();

    const changed = await pipeline(['changed', base, head]);
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toEqual(
      ['sandbox', 'staging'].map(name => ({
        name,
        tier: 'development',
        accountId: '111111111111',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::111111111111:role/kler-environments-pipeline',
      })),
    );
    // A first push (no earlier commit) lists every environment.
    expect(
      JSON.parse(
        (
          await pipeline([
            'changed',
            '0000000000000000000000000000000000000000',
            head,
          ])
        ).stdout,
      ),
    ).toHaveLength(2);

    await writeEnvironment('sandbox', 'hi', {
      roleArn: 'arn:aws:iam::222222222222:role/kler-environments-pipeline',
      backendConfig: { key: 'environments/staging/terraform.tfstate' },
      tier: 'staging',
    });
    await git('commit', '-q', '-am', 'sandbox points at staging');
    const bad = await pipeline(['changed', head, 'HEAD']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'environments/sandbox/pipeline.json: tier is not development or production; roleArn is not the kler-environments-pipeline role of account 111111111111; backendConfig.key is not environments/sandbox/terraform.tfstate',
    );
    await git('revert', '--no-edit', 'HEAD');

    await git('rm', '-q', '-r', 'environments/sandbox');
    await git('commit', '-q', '-m', 'remove sandbox');
    const removed = await pipeline(['changed', head, 'HEAD']);
    expect(JSON.parse(removed.stdout)).toEqual([]);
    expect(removed.stderr).toContain(
      'environments/sandbox has no pipeline.json',
    );
  });

  it('inits with the backend of pipeline.json, plans with the summary the portal computes, and applies only the saved plan', async () => {
    const out = path.join(repo, '.kler-out', 'staging');
    expect((await pipeline(['init', 'staging'])).code).toBe(0);
    expect(
      (await fs.readFile(env.BACKEND_LOG!, 'utf8')).trim().split('\n'),
    ).toEqual([
      '-backend-config=bucket=kler-terraform-state',
      '-backend-config=region=eu-west-1',
      '-backend-config=key=environments/staging/terraform.tfstate',
    ]);

    const plan = await pipeline(['plan', 'staging', out]);
    expect(plan.code).toBe(0);
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    );
    const shown = await run(
      TERRAFORM_BINARY,
      [
        '-chdir=environments/staging',
        'show',
        '-json',
        path.join(out, 'tfplan'),
      ],
      { cwd: repo, env },
    );
    const { destroys: _destroys, ...portalSummary } = summarizePlan(
      JSON.parse(shown.stdout),
    );
    expect(summary).toEqual(portalSummary);
    expect(summary).toMatchObject({
      add: 1,
      byType: { terraform_data: { add: 1 } },
      outputChanges: 1,
    });
    expect(await fs.readFile(path.join(out, 'message.txt'), 'utf8')).toBe(
      'Plan: 1 to add, 0 to change, 0 to destroy, 0 to replace\n',
    );

    const comment = await pipeline(['comment', 'staging', out]);
    expect(comment.stdout).toContain(
      '### `staging`: 1 to add, 0 to change, 0 to destroy, 0 to replace',
    );
    expect(comment.stdout).toContain('| `terraform_data` | 1 | 0 | 0 | 0 |');
    expect(comment.stdout).toContain('<summary>terraform plan</summary>');

    expect((await pipeline(['guard', 'staging', out])).code).toBe(0);
    expect((await pipeline(['apply', 'staging', out])).code).toBe(0);
    const output = await run(
      TERRAFORM_BINARY,
      ['-chdir=environments/staging', 'output', '-raw', 'greeting'],
      { cwd: repo, env },
    );
    expect(output.stdout).toBe('hello');

    await pipeline(['gitlab-report', out]);
    expect(
      JSON.parse(await fs.readFile(path.join(out, 'gitlab-plan.json'), 'utf8')),
    ).toEqual({ create: 1, update: 0, delete: 0 });
  });

  it('refuses to apply a plan that replaces unless pipeline.json allows destroys', async () => {
    const out = path.join(repo, '.kler-out', 'staging-replace');
    const tfvars = path.join(
      repo,
      'environments',
      'staging',
      'terraform.tfvars.json',
    );
    await fs.writeFile(tfvars, JSON.stringify({ greeting: 'changed' }));
    expect((await pipeline(['plan', 'staging', out])).code).toBe(0);
    const refused = await pipeline(['guard', 'staging', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'does not set allowDestroy: true; nothing was applied',
    );
    expect((await pipeline(['comment', 'staging', out])).stdout).toContain(
      '**This plan destroys or replaces resources.**',
    );

    const file = path.join(repo, 'environments', 'staging', 'pipeline.json');
    const config = JSON.parse(await fs.readFile(file, 'utf8'));
    await fs.writeFile(file, JSON.stringify({ ...config, allowDestroy: true }));
    expect((await pipeline(['guard', 'staging', out])).code).toBe(0);
  });

  it('fails a failing plan with its first error as the message', async () => {
    const out = path.join(repo, '.kler-out', 'broken');
    await fs.writeFile(
      path.join(repo, 'environments', 'staging', 'terraform.tfvars.json'),
      '{}',
    );
    const plan = await pipeline(['plan', 'staging', out, '-lock=false']);
    expect(plan.code).toBe(1);
    expect(await fs.readFile(path.join(out, 'message.txt'), 'utf8')).toMatch(
      /^Error: /,
    );
    expect((await pipeline(['comment', 'staging', out])).stdout).toContain(
      '### `staging`: the plan failed',
    );
  });

  it("records the run in the portal's history, and never fails the job when it cannot", async () => {
    const requests: Array<{ url?: string; authorization?: string; body: any }> =
      [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        requests.push({
          url: req.url,
          authorization: req.headers.authorization,
          body: JSON.parse(body),
        });
        res.writeHead(201).end('{}');
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out = path.join(repo, '.kler-out', 'staging');
    try {
      const github = {
        KLER_PORTAL_URL: `${portal}/`,
        KLER_ENVIRONMENTS_PIPELINE_TOKEN: 'pipeline-token-for-tests',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'ada',
        GITHUB_REPOSITORY: 'kler/environments',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '4242',
      };
      expect(
        (
          await pipeline(
            ['report', 'staging', 'apply', 'succeeded', out],
            github,
          )
        ).code,
      ).toBe(0);
      expect(requests).toEqual([
        {
          url: '/api/environments/v1/environments/staging/runs',
          authorization: 'Bearer pipeline-token-for-tests',
          body: {
            kind: 'apply',
            source: 'pipeline',
            outcome: 'succeeded',
            actor: 'github:ada',
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            link: 'https://github.com/kler/environments/actions/runs/4242',
            summary: expect.objectContaining({
              add: 1,
              change: 0,
              destroy: 0,
              replace: 0,
              byType: expect.any(Object),
            }),
            message: 'Applied: 1 added, 0 changed, 0 destroyed, 0 replaced',
          },
        },
      ]);

      const gitlab = {
        KLER_PORTAL_URL: portal,
        KLER_ENVIRONMENTS_PIPELINE_TOKEN: 'pipeline-token-for-tests',
        GITLAB_CI: 'true',
        GITLAB_USER_LOGIN: 'grace',
        CI_JOB_URL: 'https://gitlab.com/kler/environments/-/jobs/7',
      };
      await pipeline(['report', 'staging', 'plan', 'failed'], gitlab);
      expect(requests[1].body).toEqual({
        kind: 'plan',
        source: 'pipeline',
        outcome: 'failed',
        actor: 'gitlab:grace',
        at: expect.any(String),
        link: 'https://gitlab.com/kler/environments/-/jobs/7',
      });
    } finally {
      server.close();
    }
    const unreachable = await pipeline(
      ['report', 'staging', 'plan', 'succeeded', out],
      {
        KLER_PORTAL_URL: portal,
        KLER_ENVIRONMENTS_PIPELINE_TOKEN: 'pipeline-token-for-tests',
      },
    );
    expect(unreachable.code).toBe(0);
    expect(unreachable.stderr).toContain(
      'The portal did not record the plan of staging',
    );
    const unconfigured = await pipeline([
      'report',
      'staging',
      'plan',
      'succeeded',
      out,
    ]);
    expect(unconfigured.code).toBe(0);
    expect(unconfigured.stderr).toContain(
      'the run is not recorded in the portal',
    );
  });

  it('refuses names that are not environments', async () => {
    const result = await pipeline(['init', '../etc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'../etc' is not an environment name");
  });
});
