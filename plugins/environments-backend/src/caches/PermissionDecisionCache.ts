import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { setBounded } from './boundedMap';

/**
 * How long a token's decision is reused when the cache is on: a revoked
 * permission still reads for up to this long.
 */
export const PERMISSION_DECISION_REUSE_MS = 5_000;
/** At most this many tokens' decisions are kept. */
export const MAX_PERMISSION_DECISIONS = 1_000;

export interface PermissionDecisionCacheOptions {
  /** How long a decision is reused for the same token. */
  ttlMs: number;
  /** At most this many tokens' decisions are kept. */
  maxEntries: number;
  now?: () => number;
}

/**
 * Permission decisions per bearer token, each for a short time (switch:
 * `permissionDecisions`, off by default).
 *
 * Key: the bearer token, looked up only after the token was verified.
 * Lifetime: `ttlMs`, and never past the token's own expiry.
 * Why it is correct: `environments.read` is a basic permission, whose decision
 * depends only on the caller and the policy; a revoked permission (or a
 * changed policy) takes effect within `ttlMs`.
 */
export class PermissionDecisionCache {
  private readonly decisions = new Map<
    string,
    { result: AuthorizeResult; expiresAt: number }
  >();

  constructor(private readonly options: PermissionDecisionCacheOptions) {}

  get(token: string): AuthorizeResult | undefined {
    const known = this.decisions.get(token);
    if (!known) {
      return undefined;
    }
    if (known.expiresAt <= this.now()) {
      this.decisions.delete(token);
      return undefined;
    }
    return known.result;
  }

  /** Keeps the decision until the TTL passes or the token expires, whichever is first. */
  set(token: string, result: AuthorizeResult, tokenExpiresAt?: Date): void {
    const expiresAt = Math.min(
      this.now() + this.options.ttlMs,
      tokenExpiresAt?.getTime() ?? Infinity,
    );
    setBounded(
      this.decisions,
      token,
      { result, expiresAt },
      this.options.maxEntries,
    );
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
