import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../git/runGit';
import { validateBranch, validateRepositoryDirectory } from '../git/validate';
import { runMasked } from './common';
import { examples } from './fetchLocal.examples';

/**
 * `kler:git:fetchLocal`: copies a directory of the local environments
 * repository (`kler.environments.localRepository`) into the workspace, e.g. an
 * existing environment a template changes.
 *
 * @public
 */
export function createFetchLocalGitAction(options: { config: Config }) {
  const environments = options.config.getOptionalConfig('kler.environments');
  return createTemplateAction({
    id: 'kler:git:fetchLocal',
    description:
      'Copies a directory of the local environments repository (kler.environments.localRepository) into the workspace.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        sourceDirectory: z =>
          z.string({
            description:
              'Directory in the repository, e.g. environments/staging',
          }),
        targetPath: z =>
          z
            .string({ description: 'Where in the workspace it goes' })
            .optional(),
        branch: z =>
          z.string({ description: 'Branch to read; default main' }).optional(),
      },
      output: {
        commitHash: z => z.string({ description: 'The commit that was read' }),
      },
    },
    async handler(rawCtx) {
      // Inputs may carry the task's secrets (a commit message, a value): the
      // log, outputs and errors are masked like every action's.
      await runMasked(rawCtx, async ctx => {
        const { input } = ctx;
        const branch = validateBranch(input.branch);
        validateRepositoryDirectory(input.sourceDirectory, 'sourceDirectory');
        let target: string;
        try {
          target = resolveSafeChildPath(
            ctx.workspacePath,
            input.targetPath ?? '.',
          );
        } catch {
          throw new InputError(
            `targetPath '${input.targetPath}' is outside the task's workspace`,
          );
        }
        const configured = environments?.getOptionalString('localRepository');
        if (!configured) {
          throw new InputError(
            'kler.environments.localRepository is not configured, so there is no repository to read from',
          );
        }
        // Relative to the backend's working directory, as app-config.yaml
        // writes it; git runs elsewhere.
        const repositoryPath = path.resolve(configured);
        const git = (args: string[], cwd: string) =>
          runGit(args, { cwd, logger: ctx.logger, signal: ctx.signal });
        const clone = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-fetch-'));
        try {
          await git(
            [
              'clone',
              '--depth',
              '1',
              '--branch',
              branch,
              '--',
              repositoryPath,
              clone,
            ],
            os.tmpdir(),
          );
          const source = path.join(clone, input.sourceDirectory);
          const stat = await fs.stat(source).catch(() => undefined);
          if (!stat?.isDirectory()) {
            throw new NotFoundError(
              `${input.sourceDirectory} does not exist on ${branch} of ${repositoryPath}`,
            );
          }
          await fs.mkdir(target, { recursive: true });
          await fs.cp(source, target, { recursive: true });
          const commitHash = (await git(['rev-parse', 'HEAD'], clone)).trim();
          ctx.logger.info(
            `Fetched ${input.sourceDirectory} at ${commitHash} from ${repositoryPath}`,
          );
          ctx.output('commitHash', commitHash);
        } finally {
          await fs.rm(clone, { recursive: true, force: true });
        }
      });
    },
  });
}
