import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  environmentsReadPermission,
  environmentsRunCreatePermission,
} from '@kler/plugin-environments-common';
import { Request } from 'express';
import { PermissionDecisionCache } from '../caches/PermissionDecisionCache';

export interface PermissionChecksOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Decisions reused per token (switch `permissionDecisions`); none by default. */
  decisions?: PermissionDecisionCache;
}

/** The token of `Authorization: Bearer <token>`, the one httpAuth verifies. */
function bearerTokenOf(req: Request): string | undefined {
  const match = req.headers.authorization?.match(/^Bearer[ ]+(\S+)$/i);
  return match?.[1];
}

/** The policy's decision on `environments.read` for these credentials. */
async function decideRead(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): Promise<AuthorizeResult> {
  const [decision] = await permissions.authorize(
    [{ permission: environmentsReadPermission }],
    { credentials },
  );
  return decision.result;
}

function assertReadAllowed(result: AuthorizeResult): void {
  if (result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Not allowed: ${environmentsReadPermission.name}`,
    );
  }
}

/**
 * `environments.read` for credentials that come without a request, such as
 * those an action is invoked with: asked of the policy every time, since there
 * is no token to key a kept decision on.
 */
export async function requireReadPermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): Promise<void> {
  assertReadAllowed(await decideRead(permissions, credentials));
}

/** The permission checks of the environments routes. */
export function createPermissionChecks(options: PermissionChecksOptions) {
  const { httpAuth, permissions, decisions } = options;

  /**
   * Every read route needs `environments.read`: 401 without valid
   * credentials, 403 when the policy denies it.
   */
  const requireRead = async (req: Request): Promise<BackstageCredentials> => {
    // Authentication runs on every request: a kept decision is only looked up
    // for a token that was just verified (and is not expired).
    const credentials = await httpAuth.credentials(req);
    const token = decisions ? bearerTokenOf(req) : undefined;
    let result = token ? decisions!.get(token) : undefined;
    if (result === undefined) {
      result = await decideRead(permissions, credentials);
      if (token) {
        decisions!.set(token, result, credentials.expiresAt);
      }
    }
    assertReadAllowed(result);
    return credentials;
  };

  /**
   * Runs are reported by services only: the scaffolder's actions with their
   * service credentials, pipelines with an external access token. A user
   * could otherwise write any history. Checked before the body is read.
   */
  const requireRunReport = async (
    req: Request,
  ): Promise<BackstageCredentials<{ type: 'service'; subject: string }>> => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const [decision] = await permissions.authorize(
      [{ permission: environmentsRunCreatePermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${environmentsRunCreatePermission.name}`,
      );
    }
    return credentials;
  };

  return { requireRead, requireRunReport };
}
