import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { EnvironmentSnapshot } from '@kler/plugin-environments-common';
import { JsonObject } from '@backstage/types';
import { AwsEnvironment, EnvironmentReader } from '../aws/types';

/** What is known about one environment: the latest good snapshot and the latest refresh's outcome. */
export interface EnvironmentState {
  /** The latest snapshot that was read successfully. */
  snapshot?: EnvironmentSnapshot;
  /** True when the latest refresh failed and `snapshot` is older. */
  stale: boolean;
  /** The error of the latest refresh, when it failed. */
  error?: { name: string; message: string };
  /** When the latest refresh (successful or not) ended. */
  attemptedAt: string;
  /** The definition the state was read with; a changed definition invalidates it. */
  definitionKey: string;
  /** Tells one stored state from the next, whichever replica stored it. */
  version?: string;
}

export interface SnapshotStoreOptions {
  cache: CacheService;
  reader: EnvironmentReader;
  logger: LoggerService;
  /** How long a state stays in the cache. */
  ttlMs: number;
  /** Bound of one refresh; the read is aborted after it. */
  timeoutMs: number;
}

export class RefreshTimeoutError extends Error {
  name = 'RefreshTimeoutError';
}

/** Per definition object: the registry hands out the same one until it lists again. */
const definitionKeys = new WeakMap<AwsEnvironment, string>();

function definitionKeyOf(env: AwsEnvironment): string {
  let key = definitionKeys.get(env);
  if (key === undefined) {
    key = JSON.stringify(
      Object.entries(env).sort(([a], [b]) => a.localeCompare(b)),
    );
    definitionKeys.set(env, key);
  }
  return key;
}

/**
 * Holds the environments' snapshots in the Backstage cache (memory or Redis, so
 * that replicas share them). A failed refresh keeps the last good snapshot,
 * marked stale; concurrent refreshes of one environment share one read.
 */
export class SnapshotStore {
  private readonly options: SnapshotStoreOptions;
  private readonly inFlight = new Map<string, Promise<EnvironmentState>>();
  /**
   * The latest state this replica has seen, per environment. A snapshot of a
   * large environment is megabytes of JSON: requests compare the small version
   * key in the shared cache and deserialize the state only when it changed.
   */
  private readonly local = new Map<string, EnvironmentState>();

  constructor(options: SnapshotStoreOptions) {
    this.options = options;
  }

  /** The cached state of the environment; reads it first when nothing is cached. */
  async get(env: AwsEnvironment): Promise<EnvironmentState> {
    const cached = await this.peek(env);
    return cached ?? this.refresh(env);
  }

  /** The cached state, if any, without reading AWS. */
  async peek(env: AwsEnvironment): Promise<EnvironmentState | undefined> {
    const definitionKey = definitionKeyOf(env);
    let cached: EnvironmentState | undefined;
    try {
      const version = await this.options.cache.get(versionKey(env.name));
      const local = this.local.get(env.name);
      if (version === undefined) {
        this.local.delete(env.name);
        return undefined;
      }
      if (local && local.version === version) {
        cached = local;
      } else {
        cached = (await this.options.cache.get(stateKey(env.name))) as
          | EnvironmentState
          | undefined;
        if (cached) {
          this.local.set(env.name, cached);
        }
      }
    } catch (error) {
      this.options.logger.warn(
        `Could not read the cached snapshot of environment ${env.name}: ${error}`,
      );
      return undefined;
    }
    if (!cached || cached.definitionKey !== definitionKey) {
      return undefined;
    }
    return cached;
  }

  /** Reads the environment now, unless a read of it is already running: then waits for that one. */
  refresh(env: AwsEnvironment): Promise<EnvironmentState> {
    const running = this.inFlight.get(env.name);
    if (running) {
      return running;
    }
    const refresh = this.readAndStore(env).finally(() => {
      this.inFlight.delete(env.name);
    });
    this.inFlight.set(env.name, refresh);
    return refresh;
  }

  private async readAndStore(env: AwsEnvironment): Promise<EnvironmentState> {
    const definitionKey = definitionKeyOf(env);
    let state: EnvironmentState;
    try {
      const snapshot = await this.readWithTimeout(env);
      state = {
        snapshot,
        stale: false,
        attemptedAt: new Date().toISOString(),
        definitionKey,
        version: randomUUID(),
      };
    } catch (error) {
      const previous = await this.peek(env);
      const { name, message } = toErrorInfo(error);
      this.options.logger.warn(
        `Refresh of environment ${env.name} failed: ${name}: ${message}`,
      );
      state = {
        snapshot: previous?.snapshot,
        stale: previous?.snapshot !== undefined,
        error: { name, message },
        attemptedAt: new Date().toISOString(),
        definitionKey,
        version: randomUUID(),
      };
    }
    this.local.set(env.name, state);
    try {
      // The state first, then its version: a reader that sees the new version
      // finds the new state.
      await this.options.cache.set(
        stateKey(env.name),
        state as unknown as JsonObject,
        { ttl: this.options.ttlMs },
      );
      await this.options.cache.set(versionKey(env.name), state.version!, {
        ttl: this.options.ttlMs,
      });
    } catch (error) {
      // A cache outage (Redis down) must not hide a fresh read from this request.
      this.options.logger.warn(
        `Could not cache the snapshot of environment ${env.name}: ${error}`,
      );
    }
    return state;
  }

  private async readWithTimeout(
    env: AwsEnvironment,
  ): Promise<EnvironmentSnapshot> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RefreshTimeoutError(
          `Reading environment ${env.name} took longer than ${this.options.timeoutMs} ms`,
        );
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    try {
      return await Promise.race([
        this.options.reader.read(env, controller.signal),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function stateKey(environmentName: string): string {
  return `snapshot:${environmentName}`;
}

function versionKey(environmentName: string): string {
  return `snapshot-version:${environmentName}`;
}

function toErrorInfo(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}
