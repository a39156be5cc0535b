import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ActionRun, RunRecordingOptions } from '../runs/recordRun';
import {
  addSandboxEnvironment,
  readSandboxAdminUrl,
  SANDBOX_ADMIN_URL_CONFIG_KEY,
} from '../sandbox/sandboxAdmin';
import {
  parseEnvironmentVariables,
  sandboxEnvironmentOf,
} from '../sandbox/sandboxEnvironment';
import { resolveWorkspaceFile } from '../terraform/inputs';
import {
  resolveAuthorizedTarget,
  runMasked,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './provisionSandbox.examples';

/** Where the environment's values are, as kler:environment:setVariables writes them. */
const VARIABLES_FILE = 'terraform.tfvars.json';

/**
 * `kler:environment:provisionSandbox`: with the portal on the local AWS
 * sandbox (`kler.environments.sandbox.adminUrl`), adds the environment a
 * template's variables describe to the sandbox, so that it shows on the
 * dashboard as sandbox data. It runs no Terraform and touches no AWS account;
 * it does nothing when Terraform applied the environment, when the sandbox is
 * not configured, and in dry runs.
 *
 * @public
 */
export function createProvisionSandboxAction(
  options: TerraformActionsOptions & RunRecordingOptions,
) {
  const runtime = terraformRuntimeOf(options);
  const adminUrl = readSandboxAdminUrl(options.config);
  return createTemplateAction({
    id: 'kler:environment:provisionSandbox',
    description: `Adds the environment that terraform.tfvars.json describes (cluster, services, capacity, storage, backups) to the local AWS sandbox, as demo data: no Terraform runs and no AWS account is touched. Only when ${SANDBOX_ADMIN_URL_CONFIG_KEY} is configured and Terraform did not apply the environment; skipped in dry-run. The account must be one of kler.terraform.accounts, and production needs the environments.provision.production permission.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(
          "Directory of the environment's Terraform, whose terraform.tfvars.json describes it",
        ),
        terraformApplied: z =>
          z.boolean({
            description:
              'The applied output of kler:terraform:apply: when true the environment is on AWS and the sandbox is left alone',
          }),
        environmentName: z =>
          z
            .string({
              description:
                "The environment's name, for its run history; the sandbox's provisioning is recorded as an apply there",
            })
            .optional(),
      },
      output: {
        provisioned: z =>
          z.boolean({
            description:
              'The environment was added to the local sandbox (demo data, not AWS)',
          }),
        skipReason: z =>
          z.string({ description: 'Why the sandbox was left alone' }),
        sandboxUrl: z =>
          z.string({ description: 'The sandbox provisioned' }).optional(),
        cluster: z =>
          z.string({ description: "The environment's ECS cluster" }).optional(),
        summary: z =>
          z
            .string({
              description:
                'What the sandbox now holds: the cluster, its account, tier and region, and its services with their running tasks',
            })
            .optional(),
        runningServices: z =>
          z
            .array(z.string(), {
              description: 'Services that run in the sandbox',
            })
            .optional(),
        preparedServices: z =>
          z
            .array(z.string(), {
              description:
                'Services without an image tag: prepared, not running, as on AWS',
            })
            .optional(),
      },
    },
    async handler(rawCtx) {
      const run = new ActionRun(rawCtx, 'apply', {
        runRecorder: options.runRecorder,
        environmentName: rawCtx.input.environmentName,
      });
      let provisioned = false;
      await runMasked(rawCtx, async (ctx, masker) => {
        run.maskWith(masker);
        const { input } = ctx;
        if (typeof input.terraformApplied !== 'boolean') {
          throw new InputError(
            'terraformApplied must be the applied output of kler:terraform:apply',
          );
        }
        const skip = (reason: string) => {
          ctx.logger.info(`Sandbox provisioning skipped: ${reason}`);
          ctx.output('provisioned', false);
          ctx.output('skipReason', reason);
        };
        if (input.terraformApplied) {
          skip(
            'Terraform applied the environment on AWS; the local sandbox is left alone',
          );
          return;
        }
        if (!adminUrl) {
          skip(
            `no local AWS sandbox is configured (${SANDBOX_ADMIN_URL_CONFIG_KEY}); the environment was not provisioned anywhere`,
          );
          return;
        }
        if (ctx.isDryRun) {
          skip(`dry run: would add the environment to the sandbox ${adminUrl}`);
          return;
        }

        const file = await resolveWorkspaceFile(
          ctx.workspacePath,
          path.join(input.workingDirectory ?? '.', VARIABLES_FILE),
          "The environment's variables file",
        );
        let json: unknown;
        try {
          json = JSON.parse(await fs.readFile(file, 'utf8'));
        } catch (error) {
          throw new InputError(
            `${VARIABLES_FILE} is not JSON: ${(error as Error).message}`,
          );
        }
        const variables = parseEnvironmentVariables(json);
        // The same rules as a Terraform run: an account of the config, whose
        // tier decides, and production only with its permission.
        const target = await resolveAuthorizedTarget(
          runtime,
          ctx,
          'Sandbox provisioning',
          {
            awsAccountId: variables.aws_account_id,
            awsRegion: variables.aws_region,
          },
        );
        const { environment, running, prepared } = sandboxEnvironmentOf(
          variables,
          target.tier,
        );

        run.applying();
        const added = await addSandboxEnvironment(
          adminUrl,
          environment,
          ctx.signal,
        );
        provisioned = true;
        const services = added.environment.services
          .map(s => `${s.name} (${s.running} of ${s.desired} tasks running)`)
          .join(', ');
        const summary = `cluster ${added.environment.cluster} in ${
          target.accountId
        } (${target.tier}), ${target.region}${
          services ? ` with ${services}` : ' with no running service'
        }`;
        const message = `Provisioned in the local AWS sandbox (demo data), not on AWS: ${summary}`;
        run.describe(message);
        ctx.logger.info(
          `${message}${added.created ? '' : ' (the sandbox had it already)'}`,
        );
        if (prepared.length) {
          ctx.logger.info(
            `Not running, as on AWS, until an image tag is set: ${prepared.join(
              ', ',
            )}`,
          );
        }
        ctx.logger.warn(
          'Nothing was applied on AWS: Terraform did not run against any AWS account, and the environment exists only in the local sandbox.',
        );
        ctx.output('provisioned', true);
        ctx.output('skipReason', '');
        ctx.output('sandboxUrl', adminUrl);
        ctx.output('cluster', added.environment.cluster);
        ctx.output('summary', summary);
        ctx.output('runningServices', running);
        ctx.output('preparedServices', prepared);
      }).then(
        // Only a provisioning is a run of the environment; a skip is not.
        () => (provisioned ? run.finish() : undefined),
        run.fail,
      );
    },
  });
}
