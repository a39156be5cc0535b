import { CacheService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** How long a shared description lives once no read keeps it in use. */
export const DEFAULT_SHARED_DESCRIPTION_TTL_MS = 24 * 60 * 60 * 1000;

export interface SharedDescriptionsOptions {
  /** The plugin's cache (`coreServices.cache`: Redis or Valkey in production). */
  cache: CacheService;
  /** What the keys start with, one per kind of description (`task-definition`). */
  prefix: string;
  /** Lifetime of an entry that no read refreshes. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Descriptions of things that never change under their identity, shared by
 * every replica through the Backstage cache (switch `awsDescriptions`), so
 * that a replica's cold start or a restart reuses what another described.
 *
 * Key: `<prefix>:<identity>` (a task definition's ARN) in the plugin's cache.
 * Lifetime: `ttlMs` from the last write; a read that still uses an entry
 * writes it again once half its lifetime has passed, so it lives while in use
 * and expires about `ttlMs` after its last use.
 * Why it is correct: the identity names one immutable thing (a task
 * definition's revision never changes). Only the reduced summaries are
 * stored, which hold the names of variables and never their values.
 * A cache that fails is a miss (read from AWS), never a read error.
 */
export class SharedDescriptions<T> {
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** When this replica last wrote each entry it uses. */
  private readonly writtenAt = new Map<string, number>();
  /**
   * Keys this replica asked for and the cache did not hold: not asked again
   * (a read that describes them shares them), so that reads still filling in
   * thousands of descriptions do not ask the cache for each every time.
   */
  private readonly missed = new Set<string>();

  constructor(private readonly options: SharedDescriptionsOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SHARED_DESCRIPTION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** The descriptions of `keys` that the cache holds, by key (each missed key asked once). */
  async getMany(keys: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    await Promise.all(
      keys
        .filter(key => !this.missed.has(key))
        .map(async key => {
          try {
            const value = (await this.options.cache.get(this.cacheKey(key))) as
              | T
              | undefined;
            if (value !== undefined) {
              found.set(key, value);
              // Read now: its lifetime counts from a write we do not know.
              this.writtenAt.set(key, 0);
            } else {
              this.missed.add(key);
            }
          } catch {
            // A cache outage reads from AWS instead.
          }
        }),
    );
    return found;
  }

  async set(key: string, value: T): Promise<void> {
    try {
      await this.options.cache.set(this.cacheKey(key), value as JsonObject, {
        ttl: this.ttlMs,
      });
      this.writtenAt.set(key, this.now());
      this.missed.delete(key);
    } catch {
      // Not shared this time: this replica still has it in memory.
    }
  }

  /**
   * Keeps the entries of `inUse` alive (written again once half their
   * lifetime has passed) and stops tracking every key but `keys` (those in
   * use, described or not): the others expire on their own.
   */
  async keepAlive(inUse: Map<string, T>, keys: string[]): Promise<void> {
    const kept = new Set(keys);
    for (const key of this.writtenAt.keys()) {
      if (!inUse.has(key) || !kept.has(key)) {
        this.writtenAt.delete(key);
      }
    }
    for (const key of this.missed) {
      if (!kept.has(key)) {
        this.missed.delete(key);
      }
    }
    const due = [...inUse].filter(
      ([key]) => this.now() - (this.writtenAt.get(key) ?? 0) >= this.ttlMs / 2,
    );
    await Promise.all(due.map(([key, value]) => this.set(key, value)));
  }

  private cacheKey(key: string): string {
    return `${this.options.prefix}:${key}`;
  }
}
