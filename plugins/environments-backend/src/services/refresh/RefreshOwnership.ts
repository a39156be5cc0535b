import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RefreshLease } from './RefreshLeaseStore';

/** What the ownership needs of the lease store. */
export interface RefreshLeases {
  hold(holder: string, durationMs: number): Promise<RefreshLease | undefined>;
  recordRefreshStart(holder: string): Promise<boolean>;
  recordRefreshEnd(holder: string): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** The shortest and longest lease, whatever the refresh frequency. */
const MIN_LEASE_MS = 3_000;
const MAX_LEASE_MS = 30_000;

/**
 * How long a lease lasts and how often its holder renews it (and the other
 * replicas ask for it), for a refresh every `frequencyMs`. Half a refresh
 * interval, so that a dead owner is replaced, and the refresh it missed run,
 * within one interval: a survivor takes the lease at most `leaseMs +
 * heartbeatMs` after the owner's last renewal. Never under 3 s, so that an
 * event loop held up for a second or two does not hand the refresh over;
 * never over 30 s, so that a slow refresh frequency does not mean a slow
 * takeover.
 */
export function refreshLeaseTimings(frequencyMs: number): {
  leaseMs: number;
  heartbeatMs: number;
} {
  const leaseMs = Math.round(
    Math.min(Math.max(frequencyMs / 2, MIN_LEASE_MS), MAX_LEASE_MS),
  );
  return { leaseMs, heartbeatMs: Math.round(leaseMs / 3) };
}

export interface RefreshOwnershipOptions {
  leases: RefreshLeases;
  logger: LoggerService;
  /** How often the environments are refreshed. */
  frequencyMs: number;
  leaseMs: number;
  heartbeatMs: number;
  /**
   * Called when this replica takes the lease over and a refresh is due: the
   * previous owner's latest refresh never ended (it died or stopped during
   * it), or started a refresh interval ago or more. It should start a refresh
   * soon (`runIfOwner`), instead of at this replica's next scheduled one.
   */
  onTakeover: () => void;
  /** Tells this replica from the others; by default host, process and a random id. */
  holder?: string;
}

/**
 * Decides which replica refreshes the environments: the one holding the
 * refresh lease in the shared database. Every replica asks for the lease on a
 * heartbeat; the holder renews it, the others take it only once it has
 * expired. A replica that comes back finds the lease held and waits, so
 * returning replicas cause no extra refreshes.
 */
export class RefreshOwnership {
  private readonly options: RefreshOwnershipOptions;
  readonly holder: string;
  private held = false;
  private refreshing = false;
  private stopped = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  /** Heartbeats run one after the other, so that a takeover is seen once. */
  private beats: Promise<boolean> = Promise.resolve(false);

  constructor(options: RefreshOwnershipOptions) {
    this.options = options;
    this.holder =
      options.holder ??
      `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Whether this replica held the lease at its latest heartbeat. */
  get isOwner(): boolean {
    return this.held;
  }

  /** Starts the heartbeat, with a first one now. */
  start(): void {
    const beat = () => {
      this.timer = undefined;
      this.heartbeat().finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(beat, this.options.heartbeatMs);
        }
      });
    };
    beat();
  }

  /** Stops the heartbeat and lets the lease go, so that another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beats;
    if (!this.held) {
      return;
    }
    this.held = false;
    try {
      await this.options.leases.release(this.holder);
    } catch (error) {
      this.options.logger.warn(
        `Could not release the environments refresh lease: ${error}`,
      );
    }
  }

  /**
   * Runs `refresh` when this replica holds the lease, recording its start
   * and end with the lease; does nothing on the other replicas, or while a
   * refresh of this replica runs. Answers whether it refreshed.
   */
  async runIfOwner(refresh: () => Promise<void>): Promise<boolean> {
    if (this.refreshing || this.stopped) {
      return false;
    }
    this.refreshing = true;
    try {
      if (!(await this.heartbeat())) {
        return false;
      }
      const { leases, logger } = this.options;
      const started = await leases
        .recordRefreshStart(this.holder)
        .catch(error => {
          logger.warn(
            `Could not record the start of the environments refresh: ${error}`,
          );
          return false;
        });
      if (!started) {
        return false;
      }
      try {
        await refresh();
      } finally {
        await leases
          .recordRefreshEnd(this.holder)
          .catch(error =>
            this.options.logger.warn(
              `Could not record the end of the environments refresh: ${error}`,
            ),
          );
      }
      return true;
    } finally {
      this.refreshing = false;
    }
  }

  /** Takes or renews the lease; answers whether this replica holds it. */
  heartbeat(): Promise<boolean> {
    this.beats = this.beats.then(() => this.beat());
    return this.beats;
  }

  private async beat(): Promise<boolean> {
    const { leases, logger, leaseMs } = this.options;
    if (this.stopped) {
      return false;
    }
    let lease: RefreshLease | undefined;
    try {
      lease = await leases.hold(this.holder, leaseMs);
    } catch (error) {
      // Without the database no replica can renew or take the lease: this
      // one stops refreshing, and so does every other once its lease expires.
      if (!this.failing) {
        logger.warn(
          `Could not take or renew the environments refresh lease: ${error}`,
        );
      }
      this.failing = true;
      this.held = false;
      return false;
    }
    this.failing = false;
    const wasHeld = this.held;
    this.held = lease !== undefined;
    if (wasHeld && !lease) {
      logger.warn(
        'Another replica took the environments refresh lease over; this one stops refreshing',
      );
    }
    if (!wasHeld && lease) {
      const due = this.isDue(lease);
      logger.info(
        `This replica refreshes the environments now (lease of ${leaseMs} ms, renewed every ${
          this.options.heartbeatMs
        } ms)${
          due && !this.refreshing ? '; a refresh is due, starting it' : ''
        }`,
      );
      if (due && !this.refreshing) {
        try {
          this.options.onTakeover();
        } catch (error) {
          logger.warn(`Could not start the refresh: ${error}`);
        }
      }
    }
    return this.held;
  }

  /** Whether the previous owner's refresh never ended, or is an interval old. */
  private isDue(lease: RefreshLease): boolean {
    const { refreshStartedAtMs: started, refreshEndedAtMs: ended } = lease;
    if (started === undefined || ended === undefined || ended < started) {
      return true;
    }
    return lease.nowMs - started >= this.options.frequencyMs;
  }
}
