import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { validateTimeoutMinutes } from '../terraform/inputs';
import { sensitiveValuesOfPlan } from '../terraform/planJson';
import { readPlan } from '../terraform/planRecord';
import { requireInput, TerraformSession } from '../terraform/session';
import {
  sessionOptions,
  reasonToSkip,
  reportSkipped,
  resolveAuthorizedTarget,
  runMasked,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './output.examples';

/**
 * `kler:terraform:output`: the root module's outputs after an apply, without
 * the sensitive ones.
 *
 * @public
 */
export function createTerraformOutputAction(options: TerraformActionsOptions) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:terraform:output',
    description:
      "Reads the root module's outputs (terraform output -json) of the configuration a kler:terraform:plan of this task planned, in its account. Sensitive outputs are never returned, only listed by name. Skipped in dry-run.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        planFile: z =>
          z
            .string({
              description:
                'The planFile output of kler:terraform:plan: whose configuration and account to read',
            })
            .optional(),
        planSha256: z =>
          z
            .string({
              description: 'The planSha256 output of kler:terraform:plan',
            })
            .optional(),
        skipReason: terraformInputs.skipReason(
          'When set (e.g. the skipReason of the apply step), only report that outputs were skipped',
        ),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
      },
      output: {
        outputs: z =>
          z.record(z.any(), {
            description: 'Non-sensitive outputs by name',
          }),
        redacted: z =>
          z.array(z.string(), {
            description:
              'Names of sensitive outputs, whose values are withheld',
          }),
        skipped: z => z.boolean({ description: 'Outputs were not read' }),
        skipReason: z => z.string({ description: 'Why outputs were not read' }),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async (ctx, masker) => {
        const { input } = ctx;
        validateTimeoutMinutes(input.timeoutMinutes);
        const skipReason = reasonToSkip(ctx, {
          earlierStepSkipped: reason => `nothing was applied (${reason})`,
          dryRun: 'dry run: outputs exist only after an apply',
        });
        if (skipReason) {
          reportSkipped(ctx, 'Outputs', skipReason, {
            outputs: {},
            redacted: [],
          });
          return;
        }

        const { files, record, workingDirectory } = await readPlan(
          ctx.workspacePath,
          requireInput(input.planFile, 'planFile'),
          requireInput(input.planSha256, 'planSha256'),
        );
        const target = await resolveAuthorizedTarget(
          runtime,
          ctx,
          'Reading Terraform outputs',
          {
            environment: record.target.environmentRef,
            awsAccountId: record.target.accountId,
            awsRegion: record.target.region,
          },
        );
        const all: Record<string, { sensitive?: boolean; value?: JsonValue }> =
          await TerraformSession.use(
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
              // The plan holds the sensitive variables' values: an output that
              // shows one (nonsensitive) is masked like the log.
              const shown = await session.runOrThrow(
                ['show', '-json', '-no-color', files.planFile],
                { logStdout: false },
              );
              masker.add(...sensitiveValuesOfPlan(JSON.parse(shown.stdout)));
              // stdout holds every output's value, sensitive ones included: never logged.
              const result = await session.runOrThrow(
                ['output', '-json', '-no-color'],
                { logStdout: false },
              );
              return JSON.parse(result.stdout || '{}');
            },
          );
        const outputs: Record<string, JsonValue> = {};
        const redacted: string[] = [];
        for (const [name, output] of Object.entries(all)) {
          if (output.sensitive) {
            redacted.push(name);
            masker.add(output.value);
          } else {
            outputs[name] = output.value ?? null;
          }
        }
        ctx.logger.info(
          `Outputs: ${Object.keys(outputs).join(', ') || 'none'}${
            redacted.length
              ? `; redacted (sensitive): ${redacted.join(', ')}`
              : ''
          }`,
        );
        ctx.output('outputs', outputs);
        ctx.output('redacted', redacted);
        ctx.output('skipped', false);
        ctx.output('skipReason', '');
      });
    },
  });
}
