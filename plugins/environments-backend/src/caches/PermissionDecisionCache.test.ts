import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionDecisionCache } from './PermissionDecisionCache';

describe('PermissionDecisionCache', () => {
  it('forgets a decision after the TTL or when the token expires, and keeps at most maxEntries', () => {
    let now = 1_000;
    const cache = new PermissionDecisionCache({
      ttlMs: 5_000,
      maxEntries: 2,
      now: () => now,
    });
    cache.set('a', AuthorizeResult.ALLOW);
    cache.set('b', AuthorizeResult.DENY, new Date(2_000));
    expect(cache.get('a')).toBe(AuthorizeResult.ALLOW);
    expect(cache.get('b')).toBe(AuthorizeResult.DENY);

    now = 2_000;
    expect(cache.get('b')).toBeUndefined();
    now = 5_999;
    expect(cache.get('a')).toBe(AuthorizeResult.ALLOW);
    now = 6_000;
    expect(cache.get('a')).toBeUndefined();

    cache.set('a', AuthorizeResult.ALLOW);
    cache.set('b', AuthorizeResult.ALLOW);
    cache.set('c', AuthorizeResult.ALLOW);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(AuthorizeResult.ALLOW);
    expect(cache.get('c')).toBe(AuthorizeResult.ALLOW);
  });
});
