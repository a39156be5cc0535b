import { LoggerService } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256OfFile } from '../terraform/files';
import {
  validateAwsTarget,
  validateBackendConfig,
  validateTimeoutMinutes,
  validateVariables,
} from '../terraform/inputs';
import {
  describePlan,
  planHasChanges,
  PlanSummary,
  summarizePlan,
} from '../terraform/planSummary';
import {
  AwsCredentialsUnavailableError,
  backendConfigArgs,
  isUnreachableDependencyFailure,
  lastErrorLines,
  TerraformSession,
} from '../terraform/session';
import {
  awsTargetOf,
  PLAN_DIRECTORY,
  reportSkipped,
  resolveWorkingDirectory,
  startTerraformSession,
  terraformConfigOf,
  TerraformActionsOptions,
  terraformInputs,
} from './common';
import { examples } from './plan.examples';

/**
 * `kler:terraform:plan`: `init` and `plan -out`, then a summary of the saved
 * plan from `show -json`.
 *
 * @public
 */
export function createTerraformPlanAction(options: TerraformActionsOptions) {
  const config = terraformConfigOf(options);
  return createTemplateAction({
    id: 'kler:terraform:plan',
    description:
      'Plans a Terraform configuration into a saved plan file and summarizes it: resources to add, change, destroy and replace, by type.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
        vars: z =>
          z
            .record(z.any(), {
              description:
                'Input variables; written to a *.auto.tfvars.json file, never on the command line',
            })
            .optional(),
        sensitiveVars: terraformInputs.sensitiveVars(
          'Names of variables whose values are masked (***) in the log',
        ),
        backendConfig: z =>
          z
            .record(z.string(), {
              description:
                'Backend settings (-backend-config=key=value), over kler.terraform.backendConfig',
            })
            .optional(),
        awsAccountId: terraformInputs.awsAccountId(
          'The 12-digit AWS account to plan against; its credentials come from the backend aws config',
        ),
        awsRegion: terraformInputs.awsRegion('The AWS region, e.g. eu-west-1'),
        allowUnavailableProviders: terraformInputs.allowUnavailableProviders(
          'When providers, the backend or AWS credentials cannot be reached, finish with skipped: true and the reason instead of failing',
        ),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
      },
      output: {
        skipped: z =>
          z.boolean({
            description: 'The plan could not be made (see skipReason)',
          }),
        skipReason: z => z.string({ description: 'Why the plan was skipped' }),
        hasChanges: z =>
          z.boolean({ description: 'Applying would change something' }),
        planFile: z =>
          z.string({
            description: 'The saved plan, relative to the workspace',
          }),
        planSha256: z =>
          z.string({
            description:
              'sha256 of the saved plan; kler:terraform:apply requires it',
          }),
        summary: z => {
          const counts = z.object({
            add: z.number(),
            change: z.number(),
            destroy: z.number(),
            replace: z.number(),
          });
          return counts
            .extend({
              byType: z.record(counts),
              destroys: z.boolean(),
              outputChanges: z.number(),
            })
            .optional();
        },
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      validateTimeoutMinutes(input.timeoutMinutes);
      const vars = validateVariables(input.vars, input.sensitiveVars);
      const backendConfig = validateBackendConfig({
        ...config.backendConfig,
        ...validateBackendConfig(input.backendConfig),
      });
      validateAwsTarget(input);
      const workingDirectory = await resolveWorkingDirectory(ctx);

      const skip = (reason: string) =>
        reportSkipped(ctx, 'Plan', reason, {
          hasChanges: false,
          planFile: '',
          planSha256: '',
        });

      let session: TerraformSession;
      try {
        session = await startTerraformSession(ctx, {
          config,
          workingDirectory,
          vars,
          sensitiveVars: input.sensitiveVars,
          aws: awsTargetOf(options, input),
        });
      } catch (error) {
        if (
          error instanceof AwsCredentialsUnavailableError &&
          input.allowUnavailableProviders
        ) {
          skip(error.message);
          return;
        }
        throw error;
      }

      const planDirectory = path.join(ctx.workspacePath, PLAN_DIRECTORY);
      await fs.mkdir(planDirectory, { recursive: true });
      const planFile = path.join(planDirectory, `${randomUUID()}.tfplan`);

      const summary = await session.withVariables(async () => {
        const init = await session.run([
          'init',
          '-input=false',
          '-no-color',
          ...backendConfigArgs(backendConfig),
        ]);
        if (init.exitCode !== 0) {
          const reason = lastErrorLines(init.stderr);
          if (
            input.allowUnavailableProviders &&
            isUnreachableDependencyFailure(init.stderr)
          ) {
            return `providers or backend unavailable: ${reason}`;
          }
          throw new Error(`terraform init failed: ${session.maskLine(reason)}`);
        }
        await session.runOrThrow([
          'plan',
          `-out=${planFile}`,
          '-input=false',
          '-no-color',
        ]);
        const shown = await session.runOrThrow(
          ['show', '-json', '-no-color', planFile],
          { logStdout: false },
        );
        return summarizePlan(JSON.parse(shown.stdout));
      });

      if (typeof summary === 'string') {
        skip(session.maskLine(summary));
        return;
      }
      if (ctx.isDryRun) {
        // A saved plan holds every variable's value, sensitive ones included,
        // and a dry run hands the whole workspace back to the caller. Nothing
        // is applied in a dry run, so only the summary is kept.
        await fs.rm(planFile, { force: true });
        writePlanOutputs(ctx, summary, { planFile: '', planSha256: '' });
        return;
      }
      writePlanOutputs(ctx, summary, {
        planFile: path.relative(ctx.workspacePath, planFile),
        planSha256: await sha256OfFile(planFile),
      });
    },
  });
}

function writePlanOutputs(
  ctx: {
    logger: LoggerService;
    output(name: any, value: any): void;
  },
  summary: PlanSummary,
  plan: { planFile: string; planSha256: string },
) {
  ctx.logger.info(`Plan: ${describePlan(summary)}`);
  for (const [type, counts] of Object.entries(summary.byType)) {
    ctx.logger.info(`  ${type}: ${describePlan({ ...summary, ...counts })}`);
  }
  if (summary.destroys) {
    ctx.logger.warn('This plan destroys or replaces resources');
  }
  ctx.output('skipped', false);
  ctx.output('skipReason', '');
  ctx.output('hasChanges', planHasChanges(summary));
  ctx.output('planFile', plan.planFile);
  ctx.output('planSha256', plan.planSha256);
  ctx.output('summary', summary);
}
