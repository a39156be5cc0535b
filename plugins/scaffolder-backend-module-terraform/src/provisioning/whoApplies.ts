import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  environmentsProvisionPermission,
  environmentsProvisionProductionPermission,
} from '@kler/plugin-environments-common';
import { EnvironmentsRepository } from './repository';
import { ProvisioningTarget } from './targets';

/**
 * Who applies a template's Terraform: the portal itself (the
 * `kler:terraform:*` actions, in the task), or the environments repository's
 * pipeline once the pull request the task opens is reviewed and merged.
 */
export type ApplyBy = 'portal' | 'pipeline';

/** The permissions the portal needs to apply in the target for this user. */
export function permissionsToApplyFromThePortal(target: ProvisioningTarget) {
  return target.tier === 'production'
    ? [
        environmentsProvisionPermission,
        environmentsProvisionProductionPermission,
      ]
    : [environmentsProvisionPermission];
}

/**
 * Decides who applies, for the person who started the task: the portal when
 * they hold `environments.provision` (and, for a production account,
 * `environments.provision.production`); otherwise the pipeline, when the
 * environments repository is on GitHub or GitLab. With the local repository
 * there is no pipeline to hand the change to, so the task is refused
 * (NotAllowedError) before anything is rendered.
 *
 * Without a permissions service nobody may apply from the portal: the
 * decision fails closed. plan and apply check their own guard again.
 */
export async function decideWhoApplies(
  target: ProvisioningTarget,
  repository: EnvironmentsRepository,
  options: {
    permissions?: PermissionsService;
    getInitiatorCredentials: () => Promise<BackstageCredentials>;
    user?: { ref?: string };
    logger: { info(message: string): void };
  },
): Promise<ApplyBy> {
  const who = options.user?.ref ?? 'the user who started this task';
  const where = `${target.tier} account ${target.accountId}${
    target.environmentRef ? ` (${target.environmentRef})` : ''
  }`;
  const needed = permissionsToApplyFromThePortal(target);
  let missing = needed.map(permission => permission.name);
  if (options.permissions) {
    const credentials = await options.getInitiatorCredentials();
    const decisions = await options.permissions.authorize(
      needed.map(permission => ({ permission })),
      { credentials },
    );
    missing = needed
      .filter((_, index) => decisions[index]?.result !== AuthorizeResult.ALLOW)
      .map(permission => permission.name);
  }

  if (missing.length === 0) {
    options.logger.info(
      `${who} may apply from the portal in ${where} (${needed
        .map(permission => permission.name)
        .join(', ')}): the portal plans and applies`,
    );
    return 'portal';
  }
  const because = options.permissions
    ? `needs the permission ${missing.join(' and ')}`
    : 'needs a permission check, and no permissions service is configured';
  if (repository.delivery === 'local') {
    throw new NotAllowedError(
      `${who} may not apply from the portal: applying in ${where} ${because}; kler.environments.repository is local, so there is no pipeline to hand the change to. Nothing was run: ask a platform engineer, or configure a GitHub or GitLab environments repository`,
    );
  }
  options.logger.info(
    `${who} does not apply from the portal (applying in ${where} ${because}): the change goes to ${
      repository.repoUrl
    } as a ${
      repository.delivery === 'github' ? 'pull' : 'merge'
    } request, whose pipeline plans and applies it once reviewed and merged`,
  );
  return 'pipeline';
}
