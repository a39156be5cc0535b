import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { environmentsProvisionProductionPermission } from '@kler/plugin-environments-common';
import path from 'node:path';
import { sha256OfFile } from '../terraform/files';
import {
  resolveWorkspaceDirectory,
  resolveWorkspaceFile,
  validateAwsTarget,
  validateTimeoutMinutes,
  validateVariables,
} from '../terraform/inputs';
import { PlanJson, sensitiveValuesOfPlan } from '../terraform/planJson';
import { describePlan, summarizePlan } from '../terraform/planSummary';
import { requireInput } from '../terraform/session';
import {
  awsTargetOf,
  PLAN_DIRECTORY,
  reasonToSkip,
  reportSkipped,
  resolveWorkingDirectory,
  startTerraformSession,
  terraformConfigOf,
  TerraformActionsOptions,
  terraformInputs,
} from './common';
import { examples } from './apply.examples';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * `kler:terraform:apply`: applies the saved plan that `kler:terraform:plan`
 * produced in the same task, and nothing else.
 *
 * @public
 */
export function createTerraformApplyAction(options: TerraformActionsOptions) {
  const config = terraformConfigOf(options);
  return createTemplateAction({
    id: 'kler:terraform:apply',
    description:
      'Applies the plan saved by kler:terraform:plan in this task. Refuses plans that destroy unless allowDestroy is true; production needs the environments.provision.production permission. Skipped in dry-run.',
    examples,
    // Dry-run is supported so templates can be tried: apply then only says it was skipped.
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
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
        tier: z =>
          z
            .enum(['development', 'production'], {
              description:
                'The environment tier; production requires the environments.provision.production permission',
            })
            .optional(),
        sensitiveVars: terraformInputs.sensitiveVars(
          'Variables masked in the log besides those declared sensitive',
        ),
        skipReason: terraformInputs.skipReason(
          'The skipReason output of kler:terraform:plan: when set, apply only reports that it was skipped and why',
        ),
        awsAccountId: terraformInputs.awsAccountId(),
        awsRegion: terraformInputs.awsRegion(),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
      },
      output: {
        applied: z => z.boolean({ description: 'The plan was applied' }),
        skipped: z => z.boolean({ description: 'Nothing was applied' }),
        skipReason: z => z.string({ description: 'Why nothing was applied' }),
        summary: z =>
          z.string({ description: 'What the applied plan did' }).optional(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      validateTimeoutMinutes(input.timeoutMinutes);
      validateAwsTarget(input);
      validateVariables(undefined, input.sensitiveVars);
      if (typeof input.allowDestroy !== 'boolean') {
        throw new InputError(
          'allowDestroy must be set explicitly to true or false',
        );
      }
      if (
        input.tier !== undefined &&
        input.tier !== 'development' &&
        input.tier !== 'production'
      ) {
        throw new InputError("tier must be 'development' or 'production'");
      }

      const skipReason = reasonToSkip(ctx, {
        earlierStepSkipped: reason => `the plan was not made (${reason})`,
        dryRun: 'dry run: nothing is applied in a dry run',
      });
      if (skipReason) {
        reportSkipped(ctx, 'Apply', skipReason, { applied: false });
        return;
      }

      const planRelative = requireInput(input.planFile, 'planFile');
      const planSha256 = requireInput(input.planSha256, 'planSha256');
      if (!SHA256.test(planSha256)) {
        throw new InputError('planSha256 must be a sha256 in hex');
      }
      const planFile = await resolveWorkspaceFile(
        ctx.workspacePath,
        planRelative,
        'planFile',
      );
      const planDirectory = await resolveWorkspaceDirectory(
        ctx.workspacePath,
        PLAN_DIRECTORY,
        'planFile',
      );
      if (path.dirname(planFile) !== planDirectory) {
        throw new InputError(
          `planFile '${planRelative}' was not saved by kler:terraform:plan`,
        );
      }
      if ((await sha256OfFile(planFile)) !== planSha256) {
        throw new InputError(
          `planFile '${planRelative}' does not match planSha256: it is not the plan kler:terraform:plan produced in this task`,
        );
      }
      const workingDirectory = await resolveWorkingDirectory(ctx);

      if (input.tier === 'production') {
        await assertMayProvisionProduction(options, ctx);
      }

      const session = await startTerraformSession(ctx, {
        config,
        workingDirectory,
        aws: awsTargetOf(options, input),
      });

      // Read the plan itself rather than trusting the plan step's summary.
      const shown = await session.runOrThrow(
        ['show', '-json', '-no-color', planFile],
        { logStdout: false },
      );
      const plan: PlanJson = JSON.parse(shown.stdout);
      session.addSecrets(sensitiveValuesOfPlan(plan, input.sensitiveVars));
      const summary = summarizePlan(plan);
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
      const applied = await ctx.checkpoint({
        key: `kler.terraform.apply.${planSha256}`,
        fn: async () => {
          await session.runOrThrow([
            'apply',
            '-input=false',
            '-no-color',
            planFile,
          ]);
          return { summary: describePlan(summary) };
        },
      });
      ctx.logger.info(`Applied: ${applied.summary}`);
      ctx.output('applied', true);
      ctx.output('skipped', false);
      ctx.output('skipReason', '');
      ctx.output('summary', applied.summary);
    },
  });
}

async function assertMayProvisionProduction(
  options: TerraformActionsOptions,
  ctx: {
    getInitiatorCredentials(): Promise<any>;
    user?: { ref?: string };
    logger: { info(message: string): void };
  },
) {
  const who = ctx.user?.ref ?? 'the user who started this task';
  if (!options.permissions) {
    throw new NotAllowedError(
      `Applying to production needs a permission check, and no permissions service is configured; ${who} was not allowed`,
    );
  }
  const credentials = await ctx.getInitiatorCredentials();
  const [decision] = await options.permissions.authorize(
    [{ permission: environmentsProvisionProductionPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${who} may not provision production environments (permission ${environmentsProvisionProductionPermission.name} denied); nothing was applied`,
    );
  }
  ctx.logger.info(
    `${who} may provision production (${environmentsProvisionProductionPermission.name})`,
  );
}
