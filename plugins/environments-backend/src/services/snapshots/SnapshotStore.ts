import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { EnvironmentSnapshot } from '@kler/plugin-environments-common';
import { JsonObject } from '@backstage/types';
import { SnapshotCopies } from '../../caches/SnapshotCopies';
import { AwsEnvironment, EnvironmentReader } from '../aws/types';

/** What is known about one environment: the latest good snapshot and the latest refresh's outcome. */
export interface EnvironmentState {
  /** The latest snapshot that was read successfully (on a first read, maybe its health only). */
  snapshot?: EnvironmentSnapshot;
  /** True when the latest refresh failed and `snapshot` is older. */
  stale: boolean;
  /** The error of the latest refresh, when it failed. */
  error?: { name: string; message: string };
  /** When the latest refresh (successful or not) ended, or published its health. */
  attemptedAt: string;
  /** The definition the state was read with; a changed definition invalidates it. */
  definitionKey: string;
  /** Tells one stored state from the next, whichever replica stored it. */
  version: string;
}

export interface SnapshotStoreOptions {
  cache: CacheService;
  reader: EnvironmentReader;
  logger: LoggerService;
  /** How long a state stays in the cache. */
  ttlMs: number;
  /** Bound of one refresh; the read is aborted after it. */
  timeoutMs: number;
  /** This replica's deserialized copies (switch `snapshotCopies`); on by default. */
  copies?: SnapshotCopies<EnvironmentState>;
  /**
   * Whether `cache` is shared between processes (Redis, Memcache, Valkey).
   * The memory store (Backstage's default) is this process's alone: the
   * states are then kept here as objects, not serialized into a cache no
   * other process reads. Shared by default.
   */
  sharedCache?: boolean;
}

export class RefreshTimeoutError extends Error {
  name = 'RefreshTimeoutError';
}

/** The definition as a string: a state read with another definition is not served. */
export function definitionKeyOf(env: AwsEnvironment): string {
  return JSON.stringify(
    Object.entries(env).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * Holds the environments' snapshots in the Backstage cache when it is shared
 * (Redis and the like, so that replicas share them), in this process when it
 * is the memory store. A failed refresh keeps the last good snapshot,
 * marked stale; concurrent refreshes of one environment share one read. A
 * first read stores the environment's health as soon as it is read, and the
 * whole snapshot once every part is in.
 */
export class SnapshotStore {
  private readonly options: SnapshotStoreOptions;
  /** Per environment, the read running: its whole state, and the first state it stores. */
  private readonly inFlight = new Map<
    string,
    { whole: Promise<EnvironmentState>; first: Promise<EnvironmentState> }
  >();
  private readonly copies: SnapshotCopies<EnvironmentState>;
  /** With a cache of this process alone: the states themselves, until they expire. */
  private readonly ownStates = new Map<
    string,
    { state: EnvironmentState; expiresAt: number }
  >();

  constructor(options: SnapshotStoreOptions) {
    this.options = options;
    this.copies =
      options.copies ?? new SnapshotCopies<EnvironmentState>({ enabled: true });
  }

  private get shared(): boolean {
    return this.options.sharedCache ?? true;
  }

  /**
   * The cached state of the environment. When nothing is cached, reads it
   * and answers as soon as the read stores something: on a first read, the
   * environment's health.
   */
  async get(
    env: AwsEnvironment,
    definitionKey = definitionKeyOf(env),
  ): Promise<EnvironmentState> {
    const cached = await this.peek(env, definitionKey);
    return cached ?? this.start(env, definitionKey).first;
  }

  /** The cached state, if any, without reading AWS. */
  async peek(
    env: AwsEnvironment,
    definitionKey = definitionKeyOf(env),
  ): Promise<EnvironmentState | undefined> {
    if (!this.shared) {
      const own = this.ownStates.get(env.name);
      if (own && own.expiresAt <= Date.now()) {
        this.ownStates.delete(env.name);
        return undefined;
      }
      return own?.state.definitionKey === definitionKey ? own.state : undefined;
    }
    let cached: EnvironmentState | undefined;
    try {
      const version = (await this.options.cache.get(versionKey(env.name))) as
        | string
        | undefined;
      if (version === undefined) {
        this.copies.delete(env.name);
        return undefined;
      }
      cached = this.copies.get(env.name, version);
      if (!cached) {
        cached = (await this.options.cache.get(stateKey(env.name))) as
          | EnvironmentState
          | undefined;
        if (cached) {
          this.copies.set(env.name, cached);
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

  /**
   * Reads the environment now, unless a read of it is already running: then
   * waits for that one, to its end.
   */
  refresh(
    env: AwsEnvironment,
    definitionKey = definitionKeyOf(env),
  ): Promise<EnvironmentState> {
    return this.start(env, definitionKey).whole;
  }

  private start(env: AwsEnvironment, definitionKey: string) {
    const running = this.inFlight.get(env.name);
    if (running) {
      return running;
    }
    let healthStored: (state: EnvironmentState) => void = () => {};
    const health = new Promise<EnvironmentState>(resolve => {
      healthStored = resolve;
    });
    const whole = this.readAndStore(env, definitionKey, healthStored).finally(
      () => {
        this.inFlight.delete(env.name);
      },
    );
    const read = { whole, first: Promise.race([whole, health]) };
    this.inFlight.set(env.name, read);
    return read;
  }

  private async readAndStore(
    env: AwsEnvironment,
    definitionKey: string,
    onHealthStored: (state: EnvironmentState) => void,
  ): Promise<EnvironmentState> {
    let state: EnvironmentState;
    // The health's state is stored before the whole one, never after.
    let healthStored = Promise.resolve();
    try {
      const snapshot = await this.readWithTimeout(env, health => {
        const healthState = this.stateOf(health, definitionKey);
        healthStored = this.store(env, healthState).then(() =>
          onHealthStored(healthState),
        );
      });
      state = this.stateOf(snapshot, definitionKey);
    } catch (error) {
      await healthStored;
      const previous = await this.peek(env, definitionKey);
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
    await healthStored;
    await this.store(env, state);
    return state;
  }

  private stateOf(
    snapshot: EnvironmentSnapshot,
    definitionKey: string,
  ): EnvironmentState {
    return {
      snapshot,
      stale: false,
      attemptedAt: new Date().toISOString(),
      definitionKey,
      version: randomUUID(),
    };
  }

  private async store(env: AwsEnvironment, state: EnvironmentState) {
    if (!this.shared) {
      const now = Date.now();
      // Environments no longer defined are not read again: drop what expired.
      for (const [name, own] of this.ownStates) {
        if (own.expiresAt <= now) {
          this.ownStates.delete(name);
        }
      }
      this.ownStates.set(env.name, {
        state,
        expiresAt: now + this.options.ttlMs,
      });
      return;
    }
    this.copies.set(env.name, state);
    try {
      // The state first, then its version: a reader that sees the new version
      // finds the new state.
      await this.options.cache.set(
        stateKey(env.name),
        state as unknown as JsonObject,
        { ttl: this.options.ttlMs },
      );
      await this.options.cache.set(versionKey(env.name), state.version, {
        ttl: this.options.ttlMs,
      });
    } catch (error) {
      // A cache outage (Redis down) must not hide a fresh read from this request.
      this.options.logger.warn(
        `Could not cache the snapshot of environment ${env.name}: ${error}`,
      );
    }
  }

  private async readWithTimeout(
    env: AwsEnvironment,
    onHealthRead: (snapshot: EnvironmentSnapshot) => void,
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
        this.options.reader.read(env, {
          signal: controller.signal,
          onHealthRead,
        }),
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
