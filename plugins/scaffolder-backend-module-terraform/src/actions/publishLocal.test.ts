import { ConfigReader } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPublishLocalGitAction } from './publishLocal';
import { createFetchLocalGitAction } from './fetchLocal';
import { createTestContext } from '../__testUtils__/fixtures';

describe('kler:git:publishLocal', () => {
  let root: string;
  let workspacePath: string;
  let repository: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-publish-test-'));
    workspacePath = path.join(root, 'workspace');
    repository = path.join(root, 'environments.git');
    const source = path.join(workspacePath, 'environment');
    await fs.mkdir(path.join(source, '.terraform'), { recursive: true });
    await fs.writeFile(path.join(source, 'main.tf'), '# main\n');
    await fs.writeFile(path.join(source, 'catalog-info.yaml'), 'kind: x\n');
    await fs.writeFile(path.join(source, '.terraform', 'junk'), 'x');
    await fs.writeFile(path.join(source, 'terraform.tfstate'), '{}');
    await fs.writeFile(
      path.join(source, 'kler-task.auto.tfvars.json'),
      '{"secret":"s"}',
    );
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const action = () =>
    createPublishLocalGitAction({
      config: new ConfigReader({
        kler: {
          environments: {
            localRepository: repository,
            catalogBaseUrl: 'https://git.example/environments/blob/main/',
          },
        },
      }),
    });

  function gitIn(dir: string, ...args: string[]) {
    return execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  }

  it('commits the rendered directory, without state, variables or providers', async () => {
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/staging',
        commitMessage: 'Add staging',
      },
    });
    await action().handler(ctx as any);
    expect(outputs.published).toBe(true);
    expect(outputs.catalogInfoUrl).toBe(
      'https://git.example/environments/blob/main/environments/staging/catalog-info.yaml',
    );
    const files = gitIn(repository, 'ls-tree', '-r', '--name-only', 'main')
      .trim()
      .split('\n');
    expect(files).toEqual([
      'environments/staging/catalog-info.yaml',
      'environments/staging/main.tf',
    ]);
    expect(gitIn(repository, 'log', '--format=%s', 'main').trim()).toBe(
      'Add staging',
    );
    expect(outputs.commitHash).toBe(
      gitIn(repository, 'rev-parse', 'main').trim(),
    );

    // A second environment lands beside the first.
    const second = createTestContext({
      workspacePath,
      input: { sourcePath: 'environment', targetDirectory: 'environments/qa' },
    });
    await action().handler(second.ctx as any);
    expect(gitIn(repository, 'ls-tree', '-r', '--name-only', 'main')).toContain(
      'environments/qa/main.tf',
    );
    expect(gitIn(repository, 'ls-tree', '-r', '--name-only', 'main')).toContain(
      'environments/staging/main.tf',
    );
  });

  it('skips in dry-run and without a configured repository', async () => {
    const dry = createTestContext({
      workspacePath,
      isDryRun: true,
      input: { sourcePath: 'environment', targetDirectory: 'environments/x' },
    });
    await action().handler(dry.ctx as any);
    expect(dry.outputs.published).toBe(false);
    await expect(fs.stat(repository)).rejects.toThrow();

    const unconfigured = createTestContext({
      workspacePath,
      input: { sourcePath: 'environment', targetDirectory: 'environments/x' },
    });
    await createPublishLocalGitAction({ config: new ConfigReader({}) }).handler(
      unconfigured.ctx as any,
    );
    expect(unconfigured.outputs.skipReason).toBe(
      'kler.environments.localRepository is not configured',
    );
  });

  it.each([
    [{ targetDirectory: '../outside' }, /targetDirectory/],
    [{ targetDirectory: '/abs' }, /targetDirectory/],
    [{ targetDirectory: 'ok', branch: '--upload-pack=x' }, /branch/],
    [{ targetDirectory: 'ok', sourcePath: '../' }, /sourcePath/],
  ])('rejects %p', async (input, message) => {
    const { ctx } = createTestContext({ workspacePath, input });
    await expect(action().handler(ctx as any)).rejects.toThrow(InputError);
    await expect(
      action().handler(createTestContext({ workspacePath, input }).ctx as any),
    ).rejects.toThrow(message);
    await expect(fs.stat(repository)).rejects.toThrow();
  });
});

describe('kler:git:fetchLocal', () => {
  let root: string;
  let workspacePath: string;
  let repository: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-fetch-test-'));
    workspacePath = path.join(root, 'workspace');
    repository = path.join(root, 'environments.git');
    await fs.mkdir(path.join(workspacePath, 'environment'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(workspacePath, 'environment', 'main.tf'),
      '# env\n',
    );
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const config = () =>
    new ConfigReader({
      kler: { environments: { localRepository: repository } },
    });

  it('copies a published directory into the workspace', async () => {
    await createPublishLocalGitAction({ config: config() }).handler(
      createTestContext({
        workspacePath,
        input: { sourcePath: 'environment', targetDirectory: 'envs/a' },
      }).ctx as any,
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: { sourceDirectory: 'envs/a', targetPath: 'fetched' },
    });
    await createFetchLocalGitAction({ config: config() }).handler(ctx as any);
    expect(
      await fs.readFile(path.join(workspacePath, 'fetched', 'main.tf'), 'utf8'),
    ).toBe('# env\n');
    expect(outputs.commitHash).toMatch(/^[0-9a-f]{40}$/);

    const missing = createTestContext({
      workspacePath,
      input: { sourceDirectory: 'envs/none' },
    });
    await expect(
      createFetchLocalGitAction({ config: config() }).handler(
        missing.ctx as any,
      ),
    ).rejects.toThrow(NotFoundError);
  });

  it.each([
    [{ sourceDirectory: '../x' }, /sourceDirectory/],
    [{ sourceDirectory: 'a', targetPath: '../../x' }, /targetPath/],
    [{ sourceDirectory: 'a', branch: '-b' }, /branch/],
  ])('rejects %p before git runs', async (input, message) => {
    const { ctx } = createTestContext({ workspacePath, input });
    await expect(
      createFetchLocalGitAction({ config: config() }).handler(ctx as any),
    ).rejects.toThrow(message);
    await expect(fs.stat(repository)).rejects.toThrow();
  });
});
