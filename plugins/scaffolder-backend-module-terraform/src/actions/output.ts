import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import {
  resolveWorkspaceDirectory,
  validateAwsTarget,
  validateTimeoutMinutes,
} from '../terraform/inputs';
import { nonEmpty, TerraformSession } from '../terraform/session';
import {
  terraformConfigOf,
  TerraformActionsOptions,
  timeoutDescription,
  workingDirectoryDescription,
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
        workingDirectory: z =>
          z.string({ description: workingDirectoryDescription }).optional(),
        skipReason: z =>
          z
            .string({
              description:
                'When set (e.g. the skipReason of the apply step), only report that outputs were skipped',
            })
            .optional(),
        awsAccountId: z =>
          z.string({ description: 'The 12-digit AWS account' }).optional(),
        awsRegion: z => z.string({ description: 'The AWS region' }).optional(),
        timeoutMinutes: z =>
          z.number({ description: timeoutDescription }).optional(),
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
      const workingDirectory = await resolveWorkspaceDirectory(
        ctx.workspacePath,
        input.workingDirectory ?? '.',
        'workingDirectory',
      );
      const skip = (reason: string) => {
        ctx.logger.warn(`Outputs skipped: ${reason}`);
        ctx.output('outputs', {});
        ctx.output('redacted', []);
        ctx.output('skipped', true);
        ctx.output('skipReason', reason);
      };
      if (nonEmpty(input.skipReason)) {
        skip(`nothing was applied (${input.skipReason})`);
        return;
      }
      if (ctx.isDryRun) {
        skip('dry run: outputs exist only after an apply');
        return;
      }

      const session = await TerraformSession.create({
        config,
        logger: ctx.logger,
        signal: ctx.signal,
        workingDirectory,
        timeoutMinutes: input.timeoutMinutes,
        secrets: ctx.secrets,
        aws: {
          credentialsManager: options.awsCredentialsManager,
          accountId: nonEmpty(input.awsAccountId),
          region: nonEmpty(input.awsRegion),
        },
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
