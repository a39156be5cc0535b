import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'yaml';
import { GITLAB_CI, PIPELINE_FOLDERS } from '../__testUtils__/pipeline';

jest.setTimeout(120_000);

const run = promisify(execFile);
/** gitlab-ci-local parses the file as GitLab does and validates it against GitLab's CI JSON schema, which it bundles. */
const GITLAB_CI_LOCAL = require.resolve('gitlab-ci-local/dist/index.js');
const PREDEFINED =
  'CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_MERGE_REQUEST_TARGET_BRANCH_NAME';

describe('the GitLab CI pipeline of the environments repository', () => {
  let root: string;
  let work: string;
  let ci: any;

  const git = (...args: string[]) =>
    run(
      'git',
      ['-c', 'user.name=KLER', '-c', 'user.email=kler@kler.invalid', ...args],
      {
        cwd: work,
      },
    );

  /** A project as the portal leaves it: main, and a merge request's branch adding an environment. */
  beforeAll(async () => {
    ci = yaml.parse(await fs.readFile(GITLAB_CI, 'utf8'));
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-gitlab-ci-'));
    await run('git', [
      'init',
      '-q',
      '--bare',
      '-b',
      'main',
      path.join(root, 'origin.git'),
    ]);
    work = path.join(root, 'environments');
    await run('git', ['clone', '-q', path.join(root, 'origin.git'), work]);
    await git('commit', '-q', '--allow-empty', '-m', 'init');
    await git('push', '-q', 'origin', 'main');
    await git('remote', 'set-head', 'origin', 'main');
    await git('checkout', '-q', '-b', 'add-staging');
    await fs.cp(PIPELINE_FOLDERS.gitlab, work, { recursive: true });
    await fs.cp(PIPELINE_FOLDERS.common, work, { recursive: true });
    await fs.mkdir(path.join(work, 'environments', 'staging'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(work, 'environments', 'staging', 'main.tf'),
      '',
    );
    await git('add', '-A');
    await git('commit', '-q', '-m', 'Add staging');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function gitlabCiLocal(...args: string[]) {
    return run(process.execPath, [GITLAB_CI_LOCAL, ...args], {
      cwd: work,
      env: { ...process.env, FORCE_COLOR: '0' },
    }).catch(error => error);
  }

  async function jobs(variables: Record<string, string>) {
    const result = await gitlabCiLocal(
      '--list-json',
      '--ignore-predefined-vars',
      PREDEFINED,
      ...Object.entries(variables).flatMap(([k, v]) => [
        '--variable',
        `${k}=${v}`,
      ]),
    );
    expect(result.stderr ?? '').not.toContain('Invalid .gitlab-ci.yml');
    return Object.fromEntries(
      JSON.parse(result.stdout).map((job: any) => [job.name, job.when]),
    );
  }

  it("is valid against GitLab's CI schema, and its needs hold, for a merge request", async () => {
    const result = await gitlabCiLocal(
      '--validate-dependency-chain',
      '--ignore-predefined-vars',
      PREDEFINED,
      '--variable',
      'CI_PIPELINE_SOURCE=merge_request_event',
      '--variable',
      'CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main',
    );
    expect(result.code).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toContain(
      'json schema validated',
    );
    expect(result.stdout).toContain('All job dependencies are valid');
  });

  it('checks and plans a merge request, and applies on the default branch', async () => {
    expect(
      await jobs({
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      }),
    ).toEqual({
      environments: 'on_success',
      check: 'on_success',
      'plan:development': 'on_success',
      'plan:production': 'on_success',
      'apply:development': 'never',
      'apply:production': 'never',
    });
    expect(
      await jobs({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main' }),
    ).toEqual({
      environments: 'on_success',
      check: 'never',
      'plan:development': 'never',
      'plan:production': 'never',
      'apply:development': 'on_success',
      'apply:production': 'on_success',
    });
  });

  it('the validator is live: it refuses what GitLab would', async () => {
    const file = path.join(work, '.gitlab-ci.yml');
    const original = await fs.readFile(file, 'utf8');
    try {
      await fs.writeFile(
        file,
        original.replace(
          '  resource_group: kler-environments-production\n',
          '  resource_grup: kler-environments-production\n',
        ),
      );
      const result = await gitlabCiLocal('--list-json');
      expect(result.code).toBe(1);
      expect(`${result.stdout}${result.stderr}`).toContain(
        "'resource_grup' property is not expected to be here",
      );
    } finally {
      await fs.writeFile(file, original);
    }
  });

  it('reaches AWS only with ID tokens, in protected environments, applies one at a time per tier', () => {
    expect(ci['.aws'].id_tokens).toEqual({
      AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' },
    });
    for (const tier of ['development', 'production']) {
      expect(ci[`plan:${tier}`]).toMatchObject({
        extends: '.plan',
        variables: { TIER: tier },
        environment: { name: tier, action: 'prepare' },
      });
      expect(ci[`apply:${tier}`]).toMatchObject({
        extends: '.apply',
        variables: { TIER: tier },
        resource_group: `kler-environments-${tier}`,
        environment: { name: tier, action: 'start' },
      });
    }
    expect(ci['.plan'].extends).toEqual([
      '.terraform',
      '.aws',
      '.merge_request',
    ]);
    expect(ci['.apply'].extends).toEqual([
      '.terraform',
      '.aws',
      '.default_branch',
    ]);
    const text = JSON.stringify(ci);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    expect(ci['.plan'].script.join('\n')).toContain(
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    );
    expect(ci['.plan'].artifacts.reports.terraform).toBe(
      '.kler-out/*/gitlab-plan.json',
    );
    const apply = ci['.apply'].script.join('\n');
    expect(apply.indexOf('pipeline.sh guard')).toBeLessThan(
      apply.indexOf('pipeline.sh apply'),
    );
    expect(apply).toContain('pipeline.sh report "$name" apply');
  });
});
