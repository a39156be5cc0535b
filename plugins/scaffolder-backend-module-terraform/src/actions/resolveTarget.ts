import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  resolveAuthorizedTarget,
  runMasked,
  outputTarget,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './resolveTarget.examples';

/**
 * `kler:environment:resolveTarget`: where a template's Terraform will run, as the
 * server decides it, before anything is rendered. Templates render the tier
 * this returns instead of asking the user for one.
 *
 * @public
 */
export function createResolveTargetAction(options: TerraformActionsOptions) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:environment:resolveTarget',
    description:
      "Decides where a template's Terraform runs: the account and region of the environment named (from the catalog, trusted locations only) or of the account named, and the account's tier from kler.terraform.accounts. Refuses accounts the config does not list, and production for those without the environments.provision.production permission.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        environment: terraformInputs.environment(),
        awsAccountId: terraformInputs.awsAccountId(),
        awsRegion: terraformInputs.awsRegion(),
      },
      output: {
        accountId: z => z.string({ description: 'The AWS account' }),
        region: z => z.string({ description: 'The AWS region' }),
        tier: z =>
          z.enum(['development', 'production'], {
            description: "The account's tier, from kler.terraform.accounts",
          }),
        environment: z =>
          z.string({
            description: "The environment's entity ref; empty for a new one",
          }),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async ctx => {
        const target = await resolveAuthorizedTarget(
          runtime,
          ctx,
          'Terraform',
          ctx.input,
        );
        ctx.logger.info(
          `Target: account ${target.accountId} (${target.tier}), ${
            target.region
          }${target.environmentRef ? `, ${target.environmentRef}` : ''}`,
        );
        outputTarget(ctx.output, target);
      });
    },
  });
}
