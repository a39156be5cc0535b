import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
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

  it("masks the task's secrets in what it logs, outputs and throws", async () => {
    const secret = 'tok-publish-Secret-4711';
    const { ctx, lines, outputs } = createTestContext({
      workspacePath,
      secrets: { token: secret },
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/staging',
        commitMessage: `Add staging with ${secret}`,
      },
    });
    await action().handler(ctx as any);
    expect(lines.join('\n')).toContain('Add staging with ***');
    expect(lines.join('\n')).not.toContain(secret);
    expect(JSON.stringify(outputs)).not.toContain(secret);

    const again = createTestContext({
      workspacePath,
      secrets: { token: secret },
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/staging',
        branch: `${secret}/..`,
      },
    });
    const refused = action().handler(again.ctx as any);
    await expect(refused).rejects.toThrow(InputError);
    await expect(action().handler(again.ctx as any)).rejects.not.toThrow(
      secret,
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

  /** Every ref of the repository and its commit: what a refused publish must leave alone. */
  const refsOf = () =>
    gitIn(repository, 'for-each-ref', '--format=%(refname) %(objectname)');

  async function publish(input: Record<string, unknown>) {
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: { sourcePath: 'environment', ...input },
    });
    await action().handler(ctx as any);
    return outputs;
  }

  describe('modes', () => {
    it('create (the default) refuses a targetDirectory that exists on the branch, leaving the repository as it was', async () => {
      await publish({ targetDirectory: 'environments/staging' });
      const before = refsOf();
      await fs.writeFile(
        path.join(workspacePath, 'environment', 'main.tf'),
        '# replaced\n',
      );

      for (const input of [
        { targetDirectory: 'environments/staging' },
        { targetDirectory: 'environments/staging', mode: 'create' },
        { targetDirectory: 'environments' },
      ]) {
        const error = await publish(input).catch(e => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect(error.message).toBe(
          `${input.targetDirectory} already exists on main of ${repository}: an existing environment is changed through its own template and review, never replaced; nothing was published`,
        );
      }
      expect(refsOf()).toBe(before);
      expect(
        gitIn(repository, 'show', 'main:environments/staging/main.tf'),
      ).toBe('# main\n');
    });

    it('propose commits to a new branch started from the default branch, where the directory is replaced', async () => {
      await publish({ targetDirectory: 'environments/qa' });
      const main = (await publish({ targetDirectory: 'environments/staging' }))
        .commitHash;
      const source = path.join(workspacePath, 'environment');
      await fs.writeFile(path.join(source, 'main.tf'), '# changed\n');
      await fs.writeFile(path.join(source, 'alarms.tf'), '# new\n');
      await fs.rm(path.join(source, 'catalog-info.yaml'));

      const outputs = await publish({
        targetDirectory: 'environments/staging',
        mode: 'propose',
        branch: 'propose/staging-alarms',
        commitMessage: 'Add alarms to staging',
      });

      expect(outputs.published).toBe(true);
      expect(outputs.commitHash).toBe(
        gitIn(repository, 'rev-parse', 'propose/staging-alarms').trim(),
      );
      expect(
        gitIn(repository, 'rev-parse', 'propose/staging-alarms^').trim(),
      ).toBe(main);
      expect(
        gitIn(
          repository,
          'ls-tree',
          '-r',
          '--name-only',
          'propose/staging-alarms',
        )
          .trim()
          .split('\n'),
      ).toEqual([
        'environments/qa/catalog-info.yaml',
        'environments/qa/main.tf',
        'environments/staging/alarms.tf',
        'environments/staging/main.tf',
      ]);
      expect(
        gitIn(
          repository,
          'show',
          'propose/staging-alarms:environments/staging/main.tf',
        ),
      ).toBe('# changed\n');
      // The default branch is untouched until the proposal is merged.
      expect(gitIn(repository, 'rev-parse', 'main').trim()).toBe(main);
      expect(gitIn(repository, 'symbolic-ref', 'HEAD').trim()).toBe(
        'refs/heads/main',
      );
    });

    it('propose knows the default branch from the repository, not by the name main', async () => {
      const trunk = (
        await publish({
          targetDirectory: 'environments/staging',
          branch: 'trunk',
        })
      ).commitHash;
      await publish({
        targetDirectory: 'environments/staging',
        mode: 'propose',
        branch: 'main',
      });
      expect(gitIn(repository, 'rev-parse', 'main^').trim()).toBe(trunk);
      await expect(
        publish({
          targetDirectory: 'environments/staging',
          mode: 'propose',
          branch: 'trunk',
        }),
      ).rejects.toThrow(
        "A proposal goes to a branch of its own, not to trunk, the repository's default branch",
      );
    });

    it('propose refuses the default branch and a branch that exists, leaving the repository as it was', async () => {
      await publish({ targetDirectory: 'environments/staging' });
      await publish({
        targetDirectory: 'environments/staging',
        mode: 'propose',
        branch: 'propose/one',
      });
      const before = refsOf();

      for (const input of [
        { targetDirectory: 'environments/staging', mode: 'propose' },
        {
          targetDirectory: 'environments/staging',
          mode: 'propose',
          branch: 'main',
        },
      ]) {
        const error = await publish(input).catch(e => e);
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toBe(
          "A proposal goes to a branch of its own, not to main, the repository's default branch",
        );
      }
      const error = await publish({
        targetDirectory: 'environments/qa',
        mode: 'propose',
        branch: 'propose/one',
      }).catch(e => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(
        `Branch propose/one already exists in ${repository}: another proposal is open under that name; nothing was published`,
      );
      expect(refsOf()).toBe(before);
    });

    it('propose refuses a repository without commits, creating nothing', async () => {
      await expect(
        publish({
          targetDirectory: 'environments/staging',
          mode: 'propose',
          branch: 'propose/first',
        }),
      ).rejects.toThrow(
        new InputError(
          `${repository} has no commits yet, so there is nothing to propose a change to; publish with mode create first`,
        ),
      );
      await expect(fs.stat(repository)).rejects.toThrow();

      // An initialized repository without commits is refused too.
      execFileSync('git', ['init', '--bare', '--quiet', repository]);
      await expect(
        publish({
          targetDirectory: 'environments/staging',
          mode: 'propose',
          branch: 'propose/first',
        }),
      ).rejects.toThrow('has no commits yet');
      expect(refsOf()).toBe('');
    });

    it('refuses a mode it does not know before touching the repository', async () => {
      await expect(
        publish({ targetDirectory: 'environments/x', mode: 'replace' }),
      ).rejects.toThrow(new InputError("mode must be 'create' or 'propose'"));
      await expect(fs.stat(repository)).rejects.toThrow();
    });
  });

  it('takes the repository relative to the working directory, as app-config.yaml writes it, and fetches from it', async () => {
    const relative = path.relative(process.cwd(), repository);
    const config = new ConfigReader({
      kler: { environments: { localRepository: relative } },
    });
    const published = createTestContext({
      workspacePath,
      input: { sourcePath: 'environment', targetDirectory: 'environments/qa' },
    });
    await createPublishLocalGitAction({ config }).handler(published.ctx as any);
    expect(published.outputs.repositoryPath).toBe(repository);
    expect(gitIn(repository, 'ls-tree', '-r', '--name-only', 'main')).toContain(
      'environments/qa/main.tf',
    );
    const fetched = createTestContext({
      workspacePath,
      input: { sourceDirectory: 'environments/qa', targetPath: 'fetched' },
    });
    await createFetchLocalGitAction({ config }).handler(fetched.ctx as any);
    await expect(
      fs.readFile(path.join(workspacePath, 'fetched', 'main.tf'), 'utf8'),
    ).resolves.toBe('# main\n');
  });

  it('announces each commit on the events service; a failed announcement is only a warning', async () => {
    const events = mockServices.events.mock();
    const publishing = createPublishLocalGitAction({
      config: new ConfigReader({
        kler: { environments: { localRepository: repository } },
      }),
      events,
    });
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        sourcePath: 'environment',
        targetDirectory: 'environments/staging',
      },
    });
    await publishing.handler(ctx as any);
    expect(events.publish).toHaveBeenCalledWith({
      topic: 'kler.environments.published',
      eventPayload: {
        repositoryPath: repository,
        branch: 'main',
        targetDirectory: 'environments/staging',
        commitHash: outputs.commitHash,
        mode: 'create',
      },
    });

    events.publish.mockRejectedValueOnce(new Error('Service is shutting down'));
    const second = createTestContext({
      workspacePath,
      input: { sourcePath: 'environment', targetDirectory: 'environments/qa' },
    });
    await publishing.handler(second.ctx as any);
    expect(second.outputs.published).toBe(true);
    expect(second.lines).toContain(
      'Could not announce the commit on kler.environments.published: Error: Service is shutting down',
    );

    // Nothing is announced when nothing was committed.
    events.publish.mockClear();
    const dry = createTestContext({
      workspacePath,
      isDryRun: true,
      input: { sourcePath: 'environment', targetDirectory: 'environments/x' },
    });
    await publishing.handler(dry.ctx as any);
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('refuses to publish a symlink, which a later publish could write through', async () => {
    await fs.symlink('/etc', path.join(workspacePath, 'environment', 'etc'));
    await expect(
      publish({ targetDirectory: 'environments/staging' }),
    ).rejects.toThrow(
      new InputError(
        'etc in sourcePath is a symlink; symlinks are not published',
      ),
    );
    expect(refsOf()).toBe('');
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
