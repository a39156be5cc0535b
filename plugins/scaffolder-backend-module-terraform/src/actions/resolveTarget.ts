import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { decideWhoApplies } from '../provisioning/whoApplies';
import {
  runMasked,
  outputTarget,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './resolveTarget.examples';

/**
 * `kler:environment:resolveTarget`: where a template's Terraform will run, as the
 * server decides it, before anything is rendered, and who applies it: the
 * portal, or the environments repository's pipeline after a pull request.
 * Templates render the tier this returns instead of asking the user for one,
 * and choose their steps by `delivery` and `applyBy`.
 *
 * @public
 */
export function createResolveTargetAction(options: TerraformActionsOptions) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:environment:resolveTarget',
    description:
      "Decides where a template's Terraform runs: the account and region of the environment named (from the catalog, trusted locations only) or of the account named, and the account's tier from kler.terraform.accounts; refuses accounts the config does not list. Then who applies it: the portal for those with environments.provision (and environments.provision.production in production), else the environments repository's pipeline by pull or merge request (kler.environments.repository); with the local repository, the others are refused.",
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
        delivery: z =>
          z.enum(['local', 'github', 'gitlab'], {
            description:
              'Where the code goes (kler.environments.repository): the local repository (kler:git:publishLocal), or a pull request on GitHub (publish:github:pull-request) or a merge request on GitLab (publish:gitlab:merge-request)',
          }),
        repoUrl: z =>
          z.string({
            description:
              'The environments repository as the publish actions take it (github.com?owner=kler&repo=environments); empty for local',
          }),
        defaultBranch: z =>
          z.string({
            description:
              'The branch pull requests go to and the pipeline applies from',
          }),
        applyBy: z =>
          z.enum(['portal', 'pipeline'], {
            description:
              "portal: this task checks, plans and applies (kler:terraform:*). pipeline: the task only proposes the code; the repository's pipeline plans and applies it once the pull request is reviewed and merged",
          }),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async ctx => {
        const target = await runtime.targets.resolve(ctx.input, () =>
          ctx.getInitiatorCredentials(),
        );
        ctx.logger.info(
          `Target: account ${target.accountId} (${target.tier}), ${
            target.region
          }${target.environmentRef ? `, ${target.environmentRef}` : ''}`,
        );
        const { repository } = runtime;
        const applyBy = await decideWhoApplies(target, repository, {
          permissions: runtime.options.permissions,
          getInitiatorCredentials: () => ctx.getInitiatorCredentials(),
          user: ctx.user,
          logger: ctx.logger,
        });
        outputTarget(ctx.output, target);
        ctx.output('delivery', repository.delivery);
        ctx.output('repoUrl', repository.repoUrl);
        ctx.output('defaultBranch', repository.defaultBranch);
        ctx.output('applyBy', applyBy);
      });
    },
  });
}
