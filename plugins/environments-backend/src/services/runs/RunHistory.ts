import { LoggerService } from '@backstage/backend-plugin-api';
import {
  EnvironmentRun,
  EnvironmentRunReport,
} from '@kler/plugin-environments-common';
import { ReusedValue } from '../../caches/ReusedValue';
import { RunStore } from './RunStore';

/**
 * How long the latest runs of every environment are reused on the read path
 * (switch `latestRuns`).
 *
 * Key: none (one entry: every environment's latest run of each kind).
 * Lifetime: this long, or until this replica records a run, which drops it.
 * Why it is correct: the runs only change when one is recorded; a run recorded
 * through another replica shows here within this time, as a refreshed
 * snapshot does. Every request of the on-call page evaluates every
 * environment, and this spares each of them a query.
 */
export const LATEST_RUNS_REUSE_MS = 5_000;

export interface RunHistoryOptions {
  store: Pick<RunStore, 'add' | 'list' | 'latestOfEachKind'>;
  logger: LoggerService;
  reuseMs?: number;
  now?: () => number;
}

/** The environments' run history: recording, listing, and the latest runs the rules read. */
export class RunHistory {
  private readonly latest: ReusedValue<ReadonlyMap<string, EnvironmentRun[]>>;
  /** What the last successful read gave, served while the database fails. */
  private lastGood: ReadonlyMap<string, EnvironmentRun[]> = new Map();

  constructor(private readonly options: RunHistoryOptions) {
    this.latest = new ReusedValue({
      maxAgeMs: options.reuseMs ?? LATEST_RUNS_REUSE_MS,
      now: options.now,
    });
  }

  async record(
    environment: string,
    report: EnvironmentRunReport,
    reportedBy: string,
  ): Promise<EnvironmentRun> {
    const run = await this.options.store.add({
      environment,
      report,
      reportedBy,
      recordedAt: new Date(this.now()),
    });
    this.latest.invalidate();
    return run;
  }

  /** The environment's runs, newest first. */
  list(environment: string, limit: number): Promise<EnvironmentRun[]> {
    return this.options.store.list(environment, limit);
  }

  /**
   * Per environment name, its latest run of each kind. A failed read serves
   * the last good answer, so that the environments are still shown (their
   * run problems as of then) while the database is unreachable.
   */
  latestRuns(): Promise<ReadonlyMap<string, EnvironmentRun[]>> {
    return this.latest
      .get(() => this.options.store.latestOfEachKind())
      .then(
        read => {
          this.lastGood = read;
          return read;
        },
        error => {
          this.options.logger.warn(
            `Could not read the latest runs of the environments: ${error}`,
          );
          return this.lastGood;
        },
      );
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
