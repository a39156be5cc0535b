import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { validateAwsTarget, validateTimeoutMinutes } from '../terraform/inputs';
import {
  awsTargetOf,
  reasonToSkip,
  reportSkipped,
  resolveWorkingDirectory,
  startTerraformSession,
  terraformConfigOf,
  TerraformActionsOptions,
  terraformInputs,
} from './common';
import { examples } from './output.examples';

/**
 * `kler:terraform:output`: the root module's outputs, without the sensitive ones.
 *
 * @public
 */
export function createTerraformOutputAction(options: TerraformActionsOptions) {
  const config = terraformConfigOf(options);
  return createTemplateAction({
    id: 'kler:terraform:output',
    description:
      "Reads the root module's outputs (terraform output -json). Sensitive outputs are never returned, only listed by name. Skipped in dry-run.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
        skipReason: terraformInputs.skipReason(
          'When set (e.g. the skipReason of the apply step), only report that outputs were skipped',
        ),
        awsAccountId: terraformInputs.awsAccountId(),
        awsRegion: terraformInputs.awsRegion(),
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
    async handler(ctx) {
      const { input } = ctx;
      validateTimeoutMinutes(input.timeoutMinutes);
      validateAwsTarget(input);
      const workingDirectory = await resolveWorkingDirectory(ctx);
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

      const session = await startTerraformSession(ctx, {
        config,
        workingDirectory,
        aws: awsTargetOf(options, input),
      });
      // stdout holds every output's value, sensitive ones included: never logged.
      const result = await session.runOrThrow(
        ['output', '-json', '-no-color'],
        { logStdout: false },
      );
      const all: Record<string, { sensitive?: boolean; value?: JsonValue }> =
        JSON.parse(result.stdout || '{}');
      const outputs: Record<string, JsonValue> = {};
      const redacted: string[] = [];
      for (const [name, output] of Object.entries(all)) {
        if (output.sensitive) {
          redacted.push(name);
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
    },
  });
}
