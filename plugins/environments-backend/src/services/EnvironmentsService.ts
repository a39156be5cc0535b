import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  EnvironmentDetailsResponse,
  EnvironmentEvaluation,
  EnvironmentRun,
  EnvironmentServicesResponse,
  EnvironmentSummary,
  HealthStatus,
  Problem,
  ProblemSeverity,
  compareProblems,
  evaluateEnvironment,
  evaluateUnreadEnvironment,
  isSeverityAtLeast,
  serviceCellsOf,
} from '@kler/plugin-environments-common';
import { Evaluated, EvaluationCache } from '../caches/EvaluationCache';
import { AwsEnvironment } from './aws/types';
import {
  EnvironmentEntry,
  EnvironmentRegistry,
} from './environments/EnvironmentRegistry';
import { EnvironmentState, SnapshotStore } from './snapshots/SnapshotStore';

/** An environment with what is known about it, evaluated. */
export interface EnvironmentView {
  entry: EnvironmentEntry;
  summary: EnvironmentSummary;
  state?: EnvironmentState;
  evaluation?: EnvironmentEvaluation;
  /**
   * Names what the view was made of (the entry's, the state's and the
   * evaluation's versions): equal versions are equal views, so what is
   * derived from a view (a serialized body) may be reused while it holds.
   */
  version: string;
}

export interface ProblemFilter {
  environments?: string[];
  minSeverity?: ProblemSeverity;
  areas?: EnvironmentArea[];
}

/** Hosts that mean the environment is read from a local AWS emulator, not AWS. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) {
    return false;
  }
  try {
    const { hostname } = new URL(endpoint);
    return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
  } catch {
    return false;
  }
}

/** Where the evaluation gets each environment's latest runs from. */
export interface LatestRunsSource {
  /** Per environment name, its latest run of each kind. */
  latestRuns(): Promise<ReadonlyMap<string, EnvironmentRun[]>>;
}

const NO_RUNS: LatestRunsSource = { latestRuns: async () => new Map() };

/**
 * How long an evaluation of one snapshot and the same runs is reused. Some
 * rules depend on the time (a recovery point getting older than the RPO), so
 * it is redone now and then even when neither has changed.
 */
export const EVALUATION_REUSE_MS = 15_000;

export interface EnvironmentsServiceOptions {
  registry: EnvironmentRegistry;
  store: SnapshotStore;
  logger: LoggerService;
  runs?: LatestRunsSource;
  /** The evaluations of this replica (switch `evaluations`); on by default. */
  evaluations?: EvaluationCache;
}

/** The environments plugin's read model: environments, their snapshots, evaluations and problems. */
export class EnvironmentsService {
  private readonly registry: EnvironmentRegistry;
  private readonly store: SnapshotStore;
  private readonly logger: LoggerService;
  private readonly runs: LatestRunsSource;
  private readonly evaluations: EvaluationCache;

  constructor(options: EnvironmentsServiceOptions) {
    this.registry = options.registry;
    this.store = options.store;
    this.logger = options.logger;
    this.runs = options.runs ?? NO_RUNS;
    this.evaluations =
      options.evaluations ??
      new EvaluationCache({ enabled: true, reuseMs: EVALUATION_REUSE_MS });
  }

  /** Refreshes every environment; one environment failing never stops the others. */
  async refreshAll(): Promise<void> {
    const entries = await this.registry.list({ fresh: true });
    await Promise.all(
      entries.map(async entry => {
        if (!entry.environment) {
          this.logger.warn(
            `Skipping environment ${entry.name}: ${entry.definitionError?.message}`,
          );
          return;
        }
        await this.store.refresh(entry.environment, entry.definitionKey);
      }),
    );
  }

  async listEnvironments(): Promise<EnvironmentView[]> {
    const [entries, runs] = await Promise.all([
      this.registry.list(),
      this.runs.latestRuns(),
    ]);
    // A removed environment's evaluation is not kept.
    this.evaluations.retainOnly(new Set(entries.map(entry => entry.name)));
    return Promise.all(entries.map(entry => this.view(entry, runs)));
  }

  async getEnvironment(name: string): Promise<EnvironmentView | undefined> {
    const [entry, runs] = await Promise.all([
      this.registry.get(name),
      this.runs.latestRuns(),
    ]);
    return entry ? this.view(entry, runs) : undefined;
  }

  /**
   * The summaries of the environments whose state is cached, without reading
   * AWS for the others: what a metrics scrape observes. A scrape comes every
   * few seconds from each replica, and must never be what starts a read.
   */
  async listCachedSummaries(): Promise<EnvironmentSummary[]> {
    const [entries, runs] = await Promise.all([
      this.registry.list(),
      this.runs.latestRuns(),
    ]);
    const views = await Promise.all(
      entries.map(async entry => {
        const environment = entry.environment;
        const state =
          environment &&
          (await this.store.peek(environment, entry.definitionKey));
        return state
          ? this.evaluate(entry, environment, state, runs)
          : undefined;
      }),
    );
    return views.flatMap(view => (view ? [view.summary] : []));
  }

  /** Whether an environment of that name is known, without reading it. */
  async hasEnvironment(name: string): Promise<boolean> {
    return (await this.registry.get(name)) !== undefined;
  }

  /**
   * The environment evaluated: its snapshot and its runs, or its runs alone
   * when it could not be read; with neither, there is nothing to evaluate.
   */
  private async view(
    entry: EnvironmentEntry,
    latestRuns: ReadonlyMap<string, EnvironmentRun[]>,
  ): Promise<EnvironmentView> {
    const environment = entry.environment;
    if (!environment) {
      return { entry, summary: summaryOf(entry), version: entry.version };
    }
    const state = await this.store.get(environment, entry.definitionKey);
    return this.evaluate(entry, environment, state, latestRuns);
  }

  /** The view of an environment's state and its runs. */
  private evaluate(
    entry: EnvironmentEntry,
    environment: AwsEnvironment,
    state: EnvironmentState,
    latestRuns: ReadonlyMap<string, EnvironmentRun[]>,
  ): EnvironmentView {
    const runs = latestRuns.get(entry.name) ?? [];
    if (!state.snapshot && runs.length === 0) {
      return {
        entry,
        state,
        summary: summaryOf(entry, state),
        version: `${entry.version}|${state.version}`,
      };
    }
    const snapshot = state.snapshot;
    // A recorded run never changes under its id.
    const inputs = `${state.version}|${runs.map(run => run.id).join(',')}`;
    const evaluated = this.evaluations.get(entry.name, inputs, now => {
      const options = { now, runs };
      return snapshot
        ? evaluateEnvironment(snapshot, options)
        : evaluateUnreadEnvironment(environment, options);
    });
    return {
      entry,
      state,
      evaluation: evaluated.evaluation,
      summary: summaryOf(entry, state, evaluated.summary),
      version: `${entry.version}|${evaluated.version}`,
    };
  }
}

/** The names among `names` that no view has. */
export function unknownEnvironmentNames(
  views: EnvironmentView[],
  names: string[],
): string[] {
  const known = new Set(views.map(view => view.entry.name));
  return names.filter(name => !known.has(name));
}

/** The problems of the views that match the filter, worst first. */
export function selectProblems(
  views: EnvironmentView[],
  filter: ProblemFilter,
): Problem[] {
  return views
    .filter(
      view =>
        !filter.environments || filter.environments.includes(view.entry.name),
    )
    .flatMap(view => view.evaluation?.problems ?? [])
    .filter(
      problem =>
        !filter.minSeverity ||
        isSeverityAtLeast(problem.severity, filter.minSeverity),
    )
    .filter(problem => !filter.areas || filter.areas.includes(problem.area))
    .sort(compareProblems);
}

const UNKNOWN_AREAS = Object.fromEntries(
  ENVIRONMENT_AREAS.map(area => [area, 'unknown']),
) as Record<EnvironmentArea, HealthStatus>;

function summaryOf(
  entry: EnvironmentEntry,
  state?: EnvironmentState,
  evaluated: Evaluated['summary'] = {
    status: 'unknown' as const,
    areas: { ...UNKNOWN_AREAS },
    counts: {
      services: 0,
      servicesWithProblems: 0,
      problems: { critical: 0, high: 0, medium: 0, low: 0 },
    },
  },
): EnvironmentSummary {
  const env = entry.environment;
  const summary: EnvironmentSummary = {
    name: entry.name,
    tier: env?.tier ?? 'development',
    accountId: env?.accountId ?? '',
    region: env?.region ?? '',
    cluster: env?.cluster ?? '',
    ...evaluated,
    stale: state?.stale ?? false,
    source: isLoopbackEndpoint(env?.endpoint) ? 'sandbox' : 'aws',
  };
  const title = env?.title ?? entry.title;
  if (title) {
    summary.title = title;
  }
  if (entry.entityRef) {
    summary.entityRef = entry.entityRef;
  }
  if (state?.snapshot) {
    summary.refreshedAt = state.snapshot.readAt;
    if (state.snapshot.pending) {
      summary.pending = state.snapshot.pending;
    }
  }
  const error = entry.definitionError ?? state?.error;
  if (error) {
    summary.error = error;
  }
  return summary;
}

/** The services response of one environment: a cell per service, by name. */
export function toServicesResponse(
  view: EnvironmentView,
): EnvironmentServicesResponse {
  return {
    summary: view.summary,
    items: [
      ...serviceCellsOf({
        snapshot: view.state?.snapshot,
        evaluation: view.evaluation,
      }),
    ].map(([serviceName, cell]) => ({ serviceName, ...cell })),
  };
}

/** The details response of one environment. */
export function toDetailsResponse(
  view: EnvironmentView,
): EnvironmentDetailsResponse {
  return {
    summary: view.summary,
    snapshot: view.state?.snapshot,
    evaluation: view.evaluation,
  };
}
