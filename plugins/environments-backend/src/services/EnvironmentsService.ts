import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  EnvironmentDetailsResponse,
  EnvironmentEvaluation,
  EnvironmentRun,
  EnvironmentSnapshot,
  EnvironmentSummary,
  HealthStatus,
  Problem,
  ProblemSeverity,
  compareProblems,
  evaluateEnvironment,
  evaluateUnreadEnvironment,
  isSeverityAtLeast,
  summarizeEvaluation,
} from '@kler/plugin-environments-common';
import {
  EnvironmentEntry,
  EnvironmentRegistry,
} from './environments/EnvironmentRegistry';
import { AwsEnvironment } from './aws/types';
import { EnvironmentState, SnapshotStore } from './snapshots/SnapshotStore';

/** An environment with what is known about it, evaluated. */
export interface EnvironmentView {
  entry: EnvironmentEntry;
  summary: EnvironmentSummary;
  state?: EnvironmentState;
  evaluation?: EnvironmentEvaluation;
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

/**
 * How long an evaluation of one snapshot and the same runs is reused. Some
 * rules depend on the time (a recovery point getting older than the RPO), so
 * it is redone now and then even when neither has changed.
 */
const EVALUATION_REUSE_MS = 15_000;

/** Where the evaluation gets each environment's latest runs from. */
export interface LatestRunsSource {
  /** Per environment name, its latest run of each kind. */
  latestRuns(): Promise<ReadonlyMap<string, EnvironmentRun[]>>;
}

const NO_RUNS: LatestRunsSource = { latestRuns: async () => new Map() };

/** The environments plugin's read model: environments, their snapshots, evaluations and problems. */
export class EnvironmentsService {
  /** The latest evaluation per environment name, and what it was made of. */
  private readonly evaluations = new Map<
    string,
    {
      snapshot?: EnvironmentSnapshot;
      /** The ids of the runs: a recorded run never changes. */
      runsKey: string;
      evaluatedAt: number;
      evaluation: EnvironmentEvaluation;
    }
  >();
  /** The latest view per environment name. */
  private readonly views = new Map<string, EnvironmentView>();

  constructor(
    private readonly registry: EnvironmentRegistry,
    private readonly store: SnapshotStore,
    private readonly logger: LoggerService,
    private readonly runs: LatestRunsSource = NO_RUNS,
  ) {}

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
        await this.store.refresh(entry.environment);
      }),
    );
  }

  async listEnvironments(): Promise<EnvironmentView[]> {
    const [entries, runs] = await Promise.all([
      this.registry.list(),
      this.runs.latestRuns(),
    ]);
    const names = new Set(entries.map(entry => entry.name));
    for (const name of this.views.keys()) {
      if (!names.has(name)) {
        // A removed environment's snapshot is not kept alive by its last view.
        this.views.delete(name);
        this.evaluations.delete(name);
      }
    }
    return Promise.all(entries.map(entry => this.view(entry, runs)));
  }

  async getEnvironment(name: string): Promise<EnvironmentView | undefined> {
    const [entry, runs] = await Promise.all([
      this.registry.get(name),
      this.runs.latestRuns(),
    ]);
    return entry ? this.view(entry, runs) : undefined;
  }

  /** Whether an environment of that name is known, without reading it. */
  async hasEnvironment(name: string): Promise<boolean> {
    return (await this.registry.get(name)) !== undefined;
  }

  private async view(
    entry: EnvironmentEntry,
    runs: ReadonlyMap<string, EnvironmentRun[]>,
  ): Promise<EnvironmentView> {
    if (!entry.environment) {
      return { entry, summary: summaryOf(entry) };
    }
    const state = await this.store.get(entry.environment);
    const evaluation = this.evaluate(
      entry.environment,
      state.snapshot,
      runs.get(entry.name) ?? [],
    );
    // The same entry, state and evaluation give the same view: callers may
    // reuse what they derived from it (the router its serialized body).
    const known = this.views.get(entry.name);
    if (
      known &&
      known.entry === entry &&
      known.state === state &&
      known.evaluation === evaluation
    ) {
      return known;
    }
    const view = {
      entry,
      state,
      evaluation,
      summary: summaryOf(entry, state, evaluation),
    };
    this.views.set(entry.name, view);
    return view;
  }

  /**
   * Evaluates a snapshot and the environment's runs, reusing a recent
   * evaluation of the same snapshot and runs. An environment that could not
   * be read is evaluated on its runs alone; with neither, there is nothing to
   * evaluate.
   */
  private evaluate(
    environment: AwsEnvironment,
    snapshot: EnvironmentSnapshot | undefined,
    runs: EnvironmentRun[],
  ): EnvironmentEvaluation | undefined {
    if (!snapshot && runs.length === 0) {
      return undefined;
    }
    const now = Date.now();
    const runsKey = runs.map(run => run.id).join(',');
    const known = this.evaluations.get(environment.name);
    if (
      known &&
      known.snapshot === snapshot &&
      known.runsKey === runsKey &&
      now - known.evaluatedAt < EVALUATION_REUSE_MS
    ) {
      return known.evaluation;
    }
    const options = { now: new Date(now), runs };
    const evaluation = snapshot
      ? evaluateEnvironment(snapshot, options)
      : evaluateUnreadEnvironment(environment, options);
    this.evaluations.set(environment.name, {
      snapshot,
      runsKey,
      evaluatedAt: now,
      evaluation,
    });
    return evaluation;
  }
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
  evaluation?: EnvironmentEvaluation,
): EnvironmentSummary {
  const env = entry.environment;
  const evaluated = evaluation
    ? summarizeEvaluation(evaluation)
    : {
        status: 'unknown' as const,
        areas: { ...UNKNOWN_AREAS },
        counts: {
          services: 0,
          servicesWithProblems: 0,
          problems: { critical: 0, high: 0, medium: 0, low: 0 },
        },
      };
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
  }
  const error = entry.definitionError ?? state?.error;
  if (error) {
    summary.error = error;
  }
  return summary;
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
