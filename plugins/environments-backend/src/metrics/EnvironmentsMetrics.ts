import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import {
  AreaReadError,
  EnvironmentSummary,
  PROBLEM_SEVERITIES,
} from '@kler/plugin-environments-common';

/*
 * Every label of these metrics takes its values from a bounded set: an
 * environment's name (bounded by the catalog), an area or a severity (fixed
 * lists in -common), an outcome (the unions below), an HTTP method, a route
 * template and a status code. Never an ARN, a task id, an error message, a
 * user or a URL with its parameters.
 */

/** How a refresh of one environment ended. */
export type RefreshOutcome = 'success' | 'failure' | 'timeout';

/** How one AWS request (one attempt of a call) was answered. */
export type AwsCallOutcome = 'success' | 'throttled' | 'error';

/** Seconds; a refresh of a large environment takes tens of seconds. */
const REFRESH_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds; the routes answer from the cache, in milliseconds. */
const REQUEST_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * How long the environments read for one collection are reused by the
 * other observable instruments of the same collection.
 */
const COLLECTION_REUSE_MS = 1_000;

/**
 * The environments backend's instruments, created through Backstage's
 * metrics service (an OpenTelemetry meter scoped to the plugin). The AWS
 * calls are counted by `AwsCallMetrics`, which the reader's clients use.
 */
export class EnvironmentsMetrics {
  private readonly refreshDuration;
  private readonly readErrors;
  private readonly requestDuration;
  private readonly snapshotAge;
  private readonly problems;

  constructor(metrics: MetricsService) {
    this.refreshDuration = metrics.createHistogram<{
      environment: string;
      outcome: RefreshOutcome;
    }>('environments.refresh.duration', {
      description:
        'Duration of each read of an environment from AWS, scheduled or on demand, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: REFRESH_BUCKETS },
    });
    this.readErrors = metrics.createCounter<{
      environment: string;
      area: string;
    }>('environments.read.errors', {
      description:
        'Areas whose part of a refresh failed while the rest of the environment was read',
      unit: '{error}',
    });
    this.requestDuration = metrics.createHistogram<{
      method: string;
      route: string;
      status_code: number;
    }>('environments.http.request.duration', {
      description: 'Duration of the requests to the environments routes',
      unit: 's',
      advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
    });
    this.snapshotAge = metrics.createObservableGauge<{ environment: string }>(
      'environments.snapshot.age',
      {
        description:
          'Time since the environment was last read successfully (its latest snapshot)',
        unit: 's',
      },
    );
    this.problems = metrics.createObservableGauge<{
      environment: string;
      severity: string;
    }>('environments.problems', {
      description: 'Problems of each environment, by severity',
      unit: '{problem}',
    });
  }

  /** Records one refresh of an environment. */
  recordRefresh(
    environment: string,
    outcome: RefreshOutcome,
    seconds: number,
  ): void {
    this.refreshDuration.record(seconds, { environment, outcome });
  }

  /** Counts the areas of a successful read that could not be read whole. */
  recordReadErrors(environment: string, readErrors: AreaReadError[]): void {
    for (const { area } of readErrors) {
      this.readErrors.add(1, { environment, area });
    }
  }

  /** Records one request to the routes, by route template. */
  recordRequest(
    attributes: { method: string; route: string; status_code: number },
    seconds: number,
  ): void {
    this.requestDuration.record(seconds, attributes);
  }

  /**
   * Observes each environment's snapshot age and problems whenever metrics
   * are collected, from the summaries `listSummaries` gives (the cached ones:
   * a collection must not read AWS). Returns the function that stops
   * observing.
   */
  observeEnvironments(
    listSummaries: () => Promise<EnvironmentSummary[]>,
  ): () => void {
    let latest: { at: number; summaries: Promise<EnvironmentSummary[]> } = {
      at: -Infinity,
      summaries: Promise.resolve([]),
    };
    const summaries = () => {
      const at = Date.now();
      if (at - latest.at > COLLECTION_REUSE_MS) {
        // A failed listing (the catalog unavailable) observes nothing.
        latest = { at, summaries: listSummaries().catch(() => []) };
      }
      return latest.summaries;
    };

    const observeAge = async (result: {
      observe(value: number, attributes: { environment: string }): void;
    }) => {
      const now = Date.now();
      for (const summary of await summaries()) {
        if (summary.refreshedAt) {
          const ageMs = now - Date.parse(summary.refreshedAt);
          result.observe(Math.max(0, ageMs) / 1000, {
            environment: summary.name,
          });
        }
      }
    };
    const observeProblems = async (result: {
      observe(
        value: number,
        attributes: { environment: string; severity: string },
      ): void;
    }) => {
      for (const summary of await summaries()) {
        for (const severity of PROBLEM_SEVERITIES) {
          result.observe(summary.counts.problems[severity], {
            environment: summary.name,
            severity,
          });
        }
      }
    };

    this.snapshotAge.addCallback(observeAge);
    this.problems.addCallback(observeProblems);
    return () => {
      this.snapshotAge.removeCallback(observeAge);
      this.problems.removeCallback(observeProblems);
    };
  }
}
