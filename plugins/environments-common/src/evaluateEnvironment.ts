import {
  DEFAULT_EVALUATION_THRESHOLDS,
  EvaluationOptions,
  RuleContext,
} from './rules/context';
import {
  environmentRules,
  runRules,
  serviceRules,
  unreadableAreas,
} from './rules';
import {
  ENVIRONMENT_AREAS,
  compareProblems,
  statusOfProblems,
  worstStatus,
} from './severity';
import {
  EnvironmentArea,
  EnvironmentDefinition,
  EnvironmentEvaluation,
  EnvironmentSnapshot,
  EnvironmentSummary,
  HealthStatus,
  Problem,
  ServiceEvaluation,
  SnapshotPart,
} from './types';

/** The area each pending part of a snapshot leaves unknown (running tasks feed no rule). */
const PENDING_PART_AREAS: Record<SnapshotPart, EnvironmentArea | undefined> = {
  runningTasks: undefined,
  taskDefinitions: 'workload',
  workloadResources: 'workload',
  scaling: 'scaling',
  backup: 'backup',
  wellArchitected: 'wellArchitected',
};

/**
 * The areas of a snapshot still being read for the first time.
 *
 * @public
 */
export function pendingAreas(snapshot: EnvironmentSnapshot): EnvironmentArea[] {
  return (snapshot.pending ?? []).flatMap(part => {
    const area = PENDING_PART_AREAS[part];
    return area ? [area] : [];
  });
}

function areaStatuses(
  problems: Problem[],
  unreadable: Set<EnvironmentArea>,
): Record<EnvironmentArea, HealthStatus> {
  const statuses = {} as Record<EnvironmentArea, HealthStatus>;
  for (const area of ENVIRONMENT_AREAS) {
    statuses[area] = unreadable.has(area)
      ? 'unknown'
      : statusOfProblems(problems.filter(p => p.area === area));
  }
  return statuses;
}

/**
 * Runs every rule over a snapshot of one environment: the statuses of each
 * service and area, and every problem found, worst first. Pure: the same
 * snapshot and `now` give the same result.
 *
 * An area that could not be read is `unknown` and counts in the statuses; an
 * area still pending (see `SnapshotPart`) is `unknown` too, but the statuses of
 * the services and of the environment are those of what is known so far, so
 * that the health read first shows as it is.
 *
 * @public
 */
export function evaluateEnvironment(
  snapshot: EnvironmentSnapshot,
  options: EvaluationOptions = {},
): EnvironmentEvaluation {
  const { now = new Date(), runs = [], ...thresholds } = options;
  const context: RuleContext = {
    snapshot,
    environment: snapshot.environment,
    now,
    runs,
    thresholds: {
      ...DEFAULT_EVALUATION_THRESHOLDS,
      ...Object.fromEntries(
        Object.entries(thresholds).filter(([, value]) => value !== undefined),
      ),
    },
  };
  const unreadable = unreadableAreas(context);
  const pending = new Set(pendingAreas(snapshot));
  const unknown = new Set([...unreadable, ...pending]);

  const services: ServiceEvaluation[] = snapshot.services.map(service => {
    const problems = serviceRules
      .flatMap(rule => rule(service, context))
      .sort(compareProblems);
    const areas = areaStatuses(problems, unknown);
    return {
      serviceName: service.serviceName,
      // Backup and Well-Architected are read for the environment as a whole:
      // a service is not in doubt because they could not be read.
      status: worstStatus([
        statusOfProblems(problems),
        areas.health,
        pending.has('scaling') ? 'ok' : areas.scaling,
      ]),
      areas,
      problems,
    };
  });

  const problems = [
    ...services.flatMap(service => service.problems),
    ...environmentRules.flatMap(rule => rule(context)),
  ].sort(compareProblems);

  return {
    environment: snapshot.environment.name,
    status: worstStatus([
      statusOfProblems(problems),
      ...ENVIRONMENT_AREAS.map(
        (area): HealthStatus => (unreadable.has(area) ? 'unknown' : 'ok'),
      ),
    ]),
    areas: areaStatuses(problems, unknown),
    services,
    problems,
  };
}

/** The areas read from AWS: all unknown when the environment could not be read. */
const AWS_AREAS = ENVIRONMENT_AREAS.filter(area => area !== 'provisioning');

/**
 * Evaluates an environment that could not be read from AWS (no snapshot):
 * every area read from AWS is unknown, and what its run history says (a
 * failed apply, drift) still counts. Pure, like {@link evaluateEnvironment}.
 *
 * @public
 */
export function evaluateUnreadEnvironment(
  environment: EnvironmentDefinition,
  options: Pick<EvaluationOptions, 'now' | 'runs'> = {},
): EnvironmentEvaluation {
  const { now = new Date(), runs = [] } = options;
  const problems = runRules
    .flatMap(rule => rule({ environment, now, runs }))
    .sort(compareProblems);
  const areas = areaStatuses(problems, new Set(AWS_AREAS));
  return {
    environment: environment.name,
    status: worstStatus([statusOfProblems(problems), 'unknown']),
    areas,
    services: [],
    problems,
  };
}

/**
 * The part of an environment's summary that comes from its evaluation.
 *
 * @public
 */
export function summarizeEvaluation(
  evaluation: EnvironmentEvaluation,
): Pick<EnvironmentSummary, 'status' | 'areas' | 'counts'> {
  const problems = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const problem of evaluation.problems) {
    problems[problem.severity] += 1;
  }
  return {
    status: evaluation.status,
    areas: { ...evaluation.areas },
    counts: {
      services: evaluation.services.length,
      servicesWithProblems: evaluation.services.filter(
        service => service.problems.length > 0,
      ).length,
      problems,
    },
  };
}
