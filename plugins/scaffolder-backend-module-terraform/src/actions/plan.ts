import { LoggerService } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import path from 'node:path';
import { sha256OfFile } from '../terraform/files';
import {
  validateBackendConfig,
  validateTimeoutMinutes,
  validateVariables,
} from '../terraform/inputs';
import { createPlanFiles, writePlanRecord } from '../terraform/planRecord';
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
  sessionOptions,
  checkPolicy,
  reportSkipped,
  resolveAuthorizedTarget,
  resolveWorkingDirectory,
  runMasked,
  outputTarget,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './plan.examples';
import {
  ActionRun,
  environmentNameInput,
  RunRecordingOptions,
} from '../runs/recordRun';

/**
 * `kler:terraform:plan`: checks the configuration against the content policy,
 * decides the target from the server's config, and runs `init` and `plan -out`
 * with that account's credentials; then summarizes the saved plan.
 *
 * @public
 */
export function createTerraformPlanAction(
  options: TerraformActionsOptions & RunRecordingOptions,
) {
  const runtime = terraformRuntimeOf(options);
  const { config } = runtime;
  return createTemplateAction({
    id: 'kler:terraform:plan',
    description:
      'Plans a Terraform configuration into a saved plan and summarizes it. The configuration must pass the content policy; the target account comes from the environment or account named, its tier from kler.terraform.accounts, and production needs the environments.provision.production permission. A dry run checks the policy and the target and plans nothing.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
        environment: terraformInputs.environment(),
        awsAccountId: terraformInputs.awsAccountId(),
        awsRegion: terraformInputs.awsRegion(),
        vars: z =>
          z
            .record(z.any(), {
              description:
                'Input variables for this run only (e.g. secrets); written to a *.auto.tfvars.json file for the run, never on the command line, never published',
            })
            .optional(),
        sensitiveVars: terraformInputs.sensitiveVars(
          'Names of variables whose values are masked (***) in the log and outputs',
        ),
        backendConfig: z =>
          z
            .record(z.string(), {
              description:
                'Backend settings (-backend-config=key=value), over kler.terraform.backendConfig',
            })
            .optional(),
        allowUnavailableProviders: terraformInputs.allowUnavailableProviders(
          'When providers, the backend or AWS credentials cannot be reached, finish with skipped: true and the reason instead of failing',
        ),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
        environmentName: environmentNameInput,
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
        accountId: z =>
          z.string({ description: 'The AWS account the plan is for' }),
        region: z => z.string({ description: 'The AWS region' }),
        tier: z =>
          z.string({
            description:
              "The account's tier from kler.terraform.accounts: development or production",
          }),
        environment: z =>
          z.string({
            description: "The environment's entity ref; empty for a new one",
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
    async handler(rawCtx) {
      const run = new ActionRun(rawCtx, 'plan', {
        runRecorder: options.runRecorder,
        environmentName: rawCtx.input.environmentName,
      });
      await runMasked(rawCtx, async (ctx, masker) => {
        run.maskWith(masker);
        const { input } = ctx;
        validateTimeoutMinutes(input.timeoutMinutes);
        const vars = validateVariables(input.vars, input.sensitiveVars);
        const backendConfig = validateBackendConfig({
          ...config.backendConfig,
          ...validateBackendConfig(input.backendConfig),
        });
        const workingDirectory = await resolveWorkingDirectory(ctx);
        await checkPolicy(runtime, workingDirectory, ctx.logger);
        const target = await resolveAuthorizedTarget(
          runtime,
          ctx,
          'Terraform plan',
          input,
        );
        outputTarget(ctx.output, target);
        run.target(target);
        const skip = (reason: string) => {
          run.skipped(reason);
          reportSkipped(ctx, 'Plan', reason, {
            hasChanges: false,
            planFile: '',
            planSha256: '',
          });
        };

        if (ctx.isDryRun) {
          // A dry run's template and files come from the request: they get no
          // credentials and Terraform does not run them beyond the checks.
          skip(
            `dry run: nothing is planned in a dry run (a plan needs account ${target.accountId}'s credentials); the configuration passed the content policy and the target was accepted`,
          );
          return;
        }

        const files = await createPlanFiles(ctx.workspacePath);
        let summary: PlanSummary | string;
        try {
          summary = await TerraformSession.use(
            sessionOptions(runtime, {
              logger: ctx.logger,
              masker,
              signal: ctx.signal,
              workingDirectory,
              dataDirectory: files.dataDirectory,
              download: true,
              timeoutMinutes: input.timeoutMinutes,
              vars,
              sensitiveVars: input.sensitiveVars,
              target,
            }),
            session =>
              session.withVariables(async () => {
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
                  throw new Error(`terraform init failed: ${reason}`);
                }
                await session.runOrThrow([
                  'plan',
                  `-out=${files.planFile}`,
                  '-input=false',
                  '-no-color',
                ]);
                const shown = await session.runOrThrow(
                  ['show', '-json', '-no-color', files.planFile],
                  { logStdout: false },
                );
                return summarizePlan(JSON.parse(shown.stdout));
              }),
          );
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

        if (typeof summary === 'string') {
          skip(summary);
          return;
        }
        await writePlanRecord(files, {
          target,
          workingDirectory: path.relative(ctx.workspacePath, workingDirectory),
        });
        run.planned(summary, 'Plan');
        writePlanOutputs(ctx, summary, {
          planFile: path.relative(ctx.workspacePath, files.planFile),
          planSha256: await sha256OfFile(files.planFile),
        });
      }).then(run.finish, run.fail);
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
