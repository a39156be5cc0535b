import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  buildPipelineConfig,
  ENVIRONMENT_NAME,
  PIPELINE_FILE,
} from '../pipeline/pipelineConfig';
import {
  resolveWorkingDirectory,
  runMasked,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './writePipelineConfig.examples';

/**
 * `kler:environment:writePipelineConfig`: writes `pipeline.json` next to an
 * environment's code, the data the environments repository's pipeline runs
 * it with: account, region and tier (decided by the server as for
 * resolveTarget), the pipeline role to assume and the state backend.
 *
 * @public
 */
export function createWritePipelineConfigAction(
  options: TerraformActionsOptions,
) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:environment:writePipelineConfig',
    description:
      "Writes pipeline.json into an environment's directory: what the environments repository's pipeline plans and applies it with (account, region and tier from kler.terraform.accounts, the kler-environments-pipeline role of the account, the state backend from kler.terraform.backendConfig with the environment's key). Values as data; runs no Terraform.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(
          "The environment's directory, relative to the workspace",
        ),
        environmentName: z =>
          z.string({
            description:
              'The environment: its directory environments/<name> and its catalog name',
          }),
        environment: terraformInputs.environment(),
        awsAccountId: terraformInputs.awsAccountId(),
        awsRegion: terraformInputs.awsRegion(),
      },
      output: {
        file: z =>
          z.string({
            description: 'pipeline.json, relative to the workspace',
          }),
        roleArn: z =>
          z.string({ description: 'The role the pipeline assumes' }),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async ctx => {
        const { environmentName } = ctx.input;
        if (!ENVIRONMENT_NAME.test(environmentName ?? '')) {
          throw new InputError(
            `environmentName '${String(environmentName).slice(
              0,
              40,
            )}' is not an environment name (lower-case letters, digits and hyphens, 3 to 30)`,
          );
        }
        // The tier is the config's, never the template's.
        const target = await runtime.targets.resolve(ctx.input, () =>
          ctx.getInitiatorCredentials(),
        );
        const config = buildPipelineConfig({
          environment: environmentName,
          target,
          backendConfig: runtime.config.backendConfig,
        });
        const workingDirectory = await resolveWorkingDirectory(ctx);
        const file = path.join(workingDirectory, PIPELINE_FILE);
        const stat = await fs.lstat(file).catch(() => undefined);
        if (stat && !stat.isFile()) {
          throw new InputError(`${PIPELINE_FILE} is not a regular file`);
        }
        await fs.writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
        const relative = path.relative(ctx.workspacePath, file);
        ctx.logger.info(
          `Wrote ${relative}: ${config.tier} account ${config.accountId}, ${config.region}, role ${config.roleArn}, state ${config.backendConfig.key}`,
        );
        ctx.output('file', relative);
        ctx.output('roleArn', config.roleArn);
      });
    },
  });
}
