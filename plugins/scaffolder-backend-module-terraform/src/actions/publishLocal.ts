import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { EventsService } from '@backstage/plugin-events-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../git/runGit';
import { resolveWorkspaceDirectory } from '../terraform/inputs';
import { TASK_TFVARS_FILE } from '../terraform/session';
import { PLAN_DIRECTORY } from '../terraform/planRecord';
import { runMasked } from './common';
import { examples } from './publishLocal.examples';
import { validateBranch, validateRepositoryDirectory } from '../git/validate';
import {
  ENVIRONMENTS_PUBLISHED_TOPIC,
  EnvironmentsPublishedEvent,
} from '../events';

/** Never published: provider binaries, state, the task's variables, plans. */
function isPublished(name: string) {
  return !(
    name === '.terraform' ||
    name === '.git' ||
    name === PLAN_DIRECTORY ||
    name === TASK_TFVARS_FILE ||
    name.endsWith('.tfstate') ||
    name.endsWith('.tfstate.backup') ||
    name.endsWith('.tfplan')
  );
}

/**
 * `kler:git:publishLocal`: commits a rendered directory into a git repository
 * on disk (`kler.environments.localRepository`), for local use where no git
 * hosting is reachable. With `events`, each commit is announced on
 * {@link ENVIRONMENTS_PUBLISHED_TOPIC}.
 *
 * @public
 */
export function createPublishLocalGitAction(options: {
  config: Config;
  events?: EventsService;
}) {
  const environments = options.config.getOptionalConfig('kler.environments');
  return createTemplateAction({
    id: 'kler:git:publishLocal',
    description:
      'Commits a directory of the workspace into the local environments repository (kler.environments.localRepository). Skipped in dry-run.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        sourcePath: z =>
          z
            .string({ description: 'Directory of the workspace to publish' })
            .optional(),
        targetDirectory: z =>
          z.string({
            description:
              'Directory in the repository the files go to, e.g. environments/staging',
          }),
        branch: z =>
          z
            .string({ description: 'Branch to commit to; default main' })
            .optional(),
        commitMessage: z =>
          z.string({ description: 'The commit message' }).optional(),
        mode: z =>
          z
            .enum(['create', 'propose'], {
              description:
                "create (default): targetDirectory must not exist on branch, so an existing environment is never replaced. propose: commit to a new branch (not the repository's default branch) started from the default branch, where targetDirectory may be changed",
            })
            .optional(),
      },
      output: {
        published: z => z.boolean({ description: 'A commit was pushed' }),
        skipReason: z => z.string({ description: 'Why nothing was published' }),
        repositoryPath: z =>
          z.string({ description: 'The local repository' }).optional(),
        commitHash: z => z.string({ description: 'The commit' }).optional(),
        catalogInfoUrl: z =>
          z
            .string({
              description:
                'URL of targetDirectory/catalog-info.yaml when kler.environments.catalogBaseUrl says where the repository is served; empty otherwise',
            })
            .optional(),
      },
    },
    async handler(rawCtx) {
      // Inputs may carry the task's secrets (a commit message, a value): the
      // log, outputs and errors are masked like every action's.
      await runMasked(rawCtx, async ctx => {
        const { input } = ctx;
        const branch = validateBranch(input.branch);
        validateRepositoryDirectory(input.targetDirectory, 'targetDirectory');
        const mode = input.mode ?? 'create';
        if (mode !== 'create' && mode !== 'propose') {
          throw new InputError("mode must be 'create' or 'propose'");
        }
        const commitMessage =
          input.commitMessage ?? `Publish ${input.targetDirectory}`;
        if (commitMessage.length > 2000) {
          throw new InputError('commitMessage is longer than 2000 characters');
        }
        const sourcePath = await resolveWorkspaceDirectory(
          ctx.workspacePath,
          input.sourcePath ?? '.',
          'sourcePath',
        );
        const configured = environments?.getOptionalString('localRepository');
        // Relative to the backend's working directory, as app-config.yaml
        // writes it; git runs elsewhere (in a scratch clone).
        const repositoryPath = configured && path.resolve(configured);
        const skip = (reason: string) => {
          ctx.logger.warn(`Publish skipped: ${reason}`);
          ctx.output('published', false);
          ctx.output('skipReason', reason);
          ctx.output('catalogInfoUrl', '');
        };
        if (!repositoryPath) {
          skip('kler.environments.localRepository is not configured');
          return;
        }
        if (ctx.isDryRun) {
          skip(`dry run: would commit to ${repositoryPath} (${branch})`);
          return;
        }

        const git = (args: string[], cwd: string) =>
          runGit(args, { cwd, logger: ctx.logger, signal: ctx.signal });
        const commitHash = await ctx.checkpoint({
          key: `kler.git.publishLocal.${branch}.${input.targetDirectory}`,
          fn: async () => {
            const noCommitsYet = new InputError(
              `${repositoryPath} has no commits yet, so there is nothing to propose a change to; publish with mode create first`,
            );
            // Checked before the repository is created: a refused proposal leaves nothing behind.
            if (
              mode === 'propose' &&
              (await fs.readdir(repositoryPath).catch(() => [])).length === 0
            ) {
              throw noCommitsYet;
            }
            await fs.mkdir(repositoryPath, { recursive: true });
            if ((await fs.readdir(repositoryPath)).length === 0) {
              await git(
                ['init', '--bare', '--initial-branch', branch],
                repositoryPath,
              );
            }
            const clone = await fs.mkdtemp(
              path.join(os.tmpdir(), 'kler-publish-'),
            );
            try {
              await git(['clone', '--', repositoryPath, clone], os.tmpdir());
              const remoteBranches = await git(
                ['ls-remote', '--heads', 'origin', branch],
                clone,
              );
              const hasCommits = await git(
                ['rev-parse', '--verify', '--quiet', 'HEAD'],
                clone,
              ).then(
                () => true,
                () => false,
              );
              const defaultBranch = hasCommits
                ? /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(
                    await git(
                      ['ls-remote', '--symref', 'origin', 'HEAD'],
                      clone,
                    ),
                  )?.[1] ?? branch
                : branch;
              if (mode === 'propose') {
                if (!hasCommits) throw noCommitsYet;
                if (branch === defaultBranch) {
                  throw new InputError(
                    `A proposal goes to a branch of its own, not to ${defaultBranch}, the repository's default branch`,
                  );
                }
                if (remoteBranches.trim()) {
                  throw new ConflictError(
                    `Branch ${branch} already exists in ${repositoryPath}: another proposal is open under that name; nothing was published`,
                  );
                }
              }
              if (remoteBranches.trim()) {
                await git(['checkout', branch], clone);
              } else if (hasCommits) {
                // A new branch starts from the repository's default branch.
                await git(['checkout', '-b', branch], clone);
              } else {
                await git(['checkout', '--orphan', branch], clone);
              }
              const target = path.join(clone, input.targetDirectory);
              if (
                mode === 'create' &&
                (await fs.stat(target).catch(() => undefined))
              ) {
                throw new ConflictError(
                  `${input.targetDirectory} already exists on ${branch} of ${repositoryPath}: an existing environment is changed through its own template and review, never replaced; nothing was published`,
                );
              }
              await fs.rm(target, { recursive: true, force: true });
              await fs.cp(sourcePath, target, {
                recursive: true,
                filter: async source => {
                  if (!isPublished(path.basename(source))) return false;
                  // A committed symlink would later let a publish write through it, outside the clone.
                  if ((await fs.lstat(source)).isSymbolicLink()) {
                    throw new InputError(
                      `${path.relative(
                        sourcePath,
                        source,
                      )} in sourcePath is a symlink; symlinks are not published`,
                    );
                  }
                  return true;
                },
              });
              await git(['add', '--all', '--', input.targetDirectory], clone);
              const identity = [
                '-c',
                'user.name=KLER Scaffolder',
                '-c',
                'user.email=scaffolder@kler.invalid',
              ];
              await git(
                [...identity, 'commit', '--allow-empty', '-m', commitMessage],
                clone,
              );
              await git(['push', 'origin', `HEAD:refs/heads/${branch}`], clone);
              return (await git(['rev-parse', 'HEAD'], clone)).trim();
            } finally {
              await fs.rm(clone, { recursive: true, force: true });
            }
          },
        });

        const catalogBaseUrl =
          environments?.getOptionalString('catalogBaseUrl');
        const catalogInfoUrl = catalogBaseUrl
          ? `${catalogBaseUrl.replace(/\/$/, '')}/${
              input.targetDirectory
            }/catalog-info.yaml`
          : '';
        ctx.logger.info(
          `Published ${input.targetDirectory} to ${repositoryPath} (${branch}) as ${commitHash}`,
        );
        if (options.events) {
          const eventPayload: EnvironmentsPublishedEvent = {
            repositoryPath,
            branch,
            targetDirectory: input.targetDirectory,
            commitHash,
            mode,
          };
          // Subscribers in this backend (the catalog's mirror of the
          // repository) run before publish returns; a failure only delays
          // them until their next scheduled read.
          try {
            await options.events.publish({
              topic: ENVIRONMENTS_PUBLISHED_TOPIC,
              eventPayload,
            });
          } catch (error) {
            ctx.logger.warn(
              `Could not announce the commit on ${ENVIRONMENTS_PUBLISHED_TOPIC}: ${error}`,
            );
          }
        }
        ctx.output('published', true);
        ctx.output('skipReason', '');
        ctx.output('repositoryPath', repositoryPath);
        ctx.output('commitHash', commitHash);
        ctx.output('catalogInfoUrl', catalogInfoUrl);
      });
    },
  });
}
