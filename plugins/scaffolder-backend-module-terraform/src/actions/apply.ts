import { InputError, NotAllowedError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import os from 'node:os';
import { ApplyAttempts } from '../terraform/applyAttempts';
import { validateTimeoutMinutes, validateVariables } from '../terraform/inputs';
import { PlanJson, sensitiveValuesOfPlan } from '../terraform/planJson';
import { readPlan } from '../terraform/planRecord';
import { describePlan, summarizePlan } from '../terraform/planSummary';
import { TerraformInterruptedError } from '../terraform/runTerraform';
import { requireInput, TerraformSession } from '../terraform/session';
import { plannedChanges } from '../terraform/stateComparison';
import { readStateLocation } from '../terraform/stateLocation';
import {
  sessionOptions,
  reasonToSkip,
  reportSkipped,
  resolveAuthorizedTarget,
  runMasked,
  outputTarget,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './apply.examples';
import {
  describeShutdownInterruption,
  InterruptedApplyOptions,
  recoverInterruptedApply,
} from './interruptedApply';
import {
  ActionRun,
  environmentNameInput,
  RunRecordingOptions,
} from '../runs/recordRun';

/**
 * `kler:terraform:apply`: applies the saved plan that `kler:terraform:plan`
 * produced in the same task, in the account that plan was made for, and
 * nothing else. A run of the step that finds an earlier run of it
 * interrupted mid-apply (its backend died; the scaffolder recovered the task)
 * applies nothing: it releases that apply's state lock when that is safe and
 * fails saying what the state holds and what to do next.
 *
 * @public
 */
export function createTerraformApplyAction(
  options: TerraformActionsOptions &
    RunRecordingOptions & { interruptedApply?: InterruptedApplyOptions },
) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:terraform:apply',
    description:
      'Applies the plan saved by kler:terraform:plan in this task, in the account it was planned for. Refuses plans that destroy unless allowDestroy is true; a production account needs the environments.provision.production permission. Skipped in dry-run.',
    examples,
    // Dry-run is supported so templates can be tried: apply then only says it was skipped.
    supportsDryRun: true,
    schema: {
      input: {
        planFile: z =>
          z
            .string({
              description:
                'The planFile output of kler:terraform:plan (relative to the workspace)',
            })
            .optional(),
        planSha256: z =>
          z
            .string({
              description:
                'The planSha256 output of kler:terraform:plan: proves the file is that plan',
            })
            .optional(),
        allowDestroy: z =>
          z.boolean({
            description:
              'Must be set explicitly; false refuses any plan that destroys or replaces a resource',
          }),
        sensitiveVars: terraformInputs.sensitiveVars(
          'Variables masked in the log besides those declared sensitive',
        ),
        skipReason: terraformInputs.skipReason(
          'The skipReason output of kler:terraform:plan: when set, apply only reports that it was skipped and why',
        ),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
        environmentName: environmentNameInput,
      },
      output: {
        applied: z => z.boolean({ description: 'The plan was applied' }),
        skipped: z => z.boolean({ description: 'Nothing was applied' }),
        skipReason: z => z.string({ description: 'Why nothing was applied' }),
        summary: z =>
          z.string({ description: 'What the applied plan did' }).optional(),
        accountId: z =>
          z.string({ description: 'The AWS account applied to' }).optional(),
        region: z => z.string({ description: 'The AWS region' }).optional(),
        tier: z =>
          z
            .string({
              description: "The account's tier from kler.terraform.accounts",
            })
            .optional(),
        environment: z =>
          z
            .string({
              description: "The environment's entity ref; empty for a new one",
            })
            .optional(),
      },
    },
    async handler(rawCtx) {
      const run = new ActionRun(rawCtx, 'apply', {
        runRecorder: options.runRecorder,
        environmentName: rawCtx.input.environmentName,
      });
      await runMasked(rawCtx, async (ctx, masker) => {
        run.maskWith(masker);
        const { input } = ctx;
        validateTimeoutMinutes(input.timeoutMinutes);
        validateVariables(undefined, input.sensitiveVars);
        if (typeof input.allowDestroy !== 'boolean') {
          throw new InputError(
            'allowDestroy must be set explicitly to true or false',
          );
        }

        const skipReason = reasonToSkip(ctx, {
          earlierStepSkipped: reason => `the plan was not made (${reason})`,
          dryRun: 'dry run: nothing is applied in a dry run',
        });
        if (skipReason) {
          run.skipped(skipReason);
          reportSkipped(ctx, 'Apply', skipReason, { applied: false });
          return;
        }

        const planSha256 = requireInput(input.planSha256, 'planSha256');
        // Before the plan is read: the workspace of an interrupted run may
        // be gone with its backend, the task's checkpoints are not.
        const attempts = new ApplyAttempts(ctx.checkpoint, planSha256);
        const interrupted = await attempts.findInterrupted();
        if (interrupted) {
          // Recorded as the apply it was, which may have changed things,
          // whatever this run finds.
          run.target(interrupted.target);
          run.applying();
          // The state is read with the initiator's permission as it is now.
          const target = await resolveAuthorizedTarget(
            runtime,
            ctx,
            'Terraform apply',
            {
              environment: interrupted.target.environmentRef,
              awsAccountId: interrupted.target.accountId,
              awsRegion: interrupted.target.region,
            },
          ).catch((error: Error) => error);
          throw new Error(
            await recoverInterruptedApply(
              runtime,
              ctx,
              masker,
              interrupted,
              target,
              options.interruptedApply,
            ),
          );
        }

        const { files, record, workingDirectory } = await readPlan(
          ctx.workspacePath,
          requireInput(input.planFile, 'planFile'),
          planSha256,
        );
        // The plan's account, checked again against the config and the
        // catalog as they are now, and the initiator's permission for it.
        const target = await resolveAuthorizedTarget(
          runtime,
          ctx,
          'Terraform apply',
          {
            environment: record.target.environmentRef,
            awsAccountId: record.target.accountId,
            awsRegion: record.target.region,
          },
        );
        run.target(target);

        const applied = await TerraformSession.use(
          sessionOptions(runtime, {
            logger: ctx.logger,
            masker,
            signal: ctx.signal,
            workingDirectory,
            dataDirectory: files.dataDirectory,
            download: true,
            timeoutMinutes: input.timeoutMinutes,
            target,
          }),
          async session => {
            // Read the plan itself rather than trusting the plan step's summary.
            const shown = await session.runOrThrow(
              ['show', '-json', '-no-color', files.planFile],
              { logStdout: false },
            );
            const plan: PlanJson = JSON.parse(shown.stdout);
            masker.add(...sensitiveValuesOfPlan(plan, input.sensitiveVars));
            const summary = summarizePlan(plan);
            run.planned(summary, 'Applied');
            if (summary.destroys && !input.allowDestroy) {
              throw new NotAllowedError(
                `The plan destroys ${summary.destroy} and replaces ${
                  summary.replace
                } resource(s) (${describePlan(
                  summary,
                )}); refusing to apply because allowDestroy is false`,
              );
            }
            // A retried task finds the checkpoint and does not apply the plan twice.
            return ctx.checkpoint({
              key: `kler.terraform.apply.${planSha256}`,
              fn: async () => {
                run.applying();
                const attempt = await attempts.start({
                  host: os.hostname(),
                  stoppedWithinMs:
                    (input.timeoutMinutes ?? runtime.config.timeoutMinutes) *
                      60_000 +
                    runtime.config.cancelGraceSeconds * 1000,
                  target,
                  state: await readStateLocation(
                    files.dataDirectory,
                    workingDirectory,
                  ),
                  changes: plannedChanges(plan),
                  summary: describePlan(summary),
                });
                try {
                  await session.runOrThrow([
                    'apply',
                    '-input=false',
                    '-no-color',
                    files.planFile,
                  ]);
                } catch (error) {
                  if (
                    error instanceof TerraformInterruptedError &&
                    error.reason === 'shutdown'
                  ) {
                    // No end is recorded: when the backend exits before the
                    // task is marked failed, the run of the step in the
                    // recovered task finds this attempt and says the same.
                    throw new Error(
                      await describeShutdownInterruption(
                        runtime,
                        ctx,
                        session,
                        attempt,
                        target,
                        options.interruptedApply,
                      ),
                    );
                  }
                  await attempts.end('failed');
                  throw error;
                }
                await attempts.end('applied');
                return { summary: describePlan(summary) };
              },
            });
          },
        );
        ctx.logger.info(`Applied: ${applied.summary}`);
        ctx.output('applied', true);
        ctx.output('skipped', false);
        ctx.output('skipReason', '');
        ctx.output('summary', applied.summary);
        outputTarget(ctx.output, target);
      }).then(run.finish, run.fail);
    },
  });
}
