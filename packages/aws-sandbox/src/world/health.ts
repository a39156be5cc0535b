import type { ServiceSpec } from '../scenario/schema';
import { unit } from './random';
import type { EnvironmentWorld } from './simulation';
import type { TaskRun } from './tasks';
import { bucketOf, MINUTE } from './time';

/** How long a stopped task stays registered, draining, in its target group. */
export const DRAINING = 5 * MINUTE;

/** Share of a flapping service's targets failing health checks in a 5-minute bucket. */
const FLAP_SHARE = 0.35;

export interface TargetHealthState {
  State: 'healthy' | 'unhealthy' | 'initial' | 'draining';
  Reason?: string;
  Description?: string;
}

export interface TargetCounts {
  healthy: number;
  unhealthy: number;
}

export interface RegisteredTarget {
  run: TaskRun;
  health: TargetHealthState;
}

const HEALTHY: TargetHealthState = { State: 'healthy' };

/** The health check's verdict on one task's target at `time`. */
export function targetHealth(
  world: EnvironmentWorld,
  service: ServiceSpec,
  run: TaskRun,
  time: number,
): TargetHealthState {
  if (run.stoppedAt !== undefined) {
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  if (run.startedAt > time || time - run.startedAt < MINUTE) {
    return {
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    };
  }
  // flapping targets fail or pass per 5-minute bucket
  const failing =
    service.health === 'unhealthy' ||
    (service.health === 'flapping' &&
      unit(world.seed, 'health', run.id, bucketOf(time)) < FLAP_SHARE);
  if (failing) {
    return {
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [502]',
    };
  }
  return HEALTHY;
}

/**
 * The targets registered in a service's target group at `time` (its running
 * tasks, and the tasks stopped in the last minutes, draining) with their
 * health. DescribeTargetHealth and the HealthyHostCount / UnHealthyHostCount
 * metrics both read this, so they never disagree.
 */
export function registeredTargets(
  world: EnvironmentWorld,
  service: ServiceSpec,
  time: number,
): RegisteredTarget[] {
  return world
    .serviceTasks(service.name, time)
    .filter(
      run => run.stoppedAt === undefined || time - run.stoppedAt < DRAINING,
    )
    .map(run => ({ run, health: targetHealth(world, service, run, time) }));
}

/** Healthy and unhealthy targets of a service's target group at `time`. */
export function targetHealthCounts(
  world: EnvironmentWorld,
  service: ServiceSpec,
  time: number,
): TargetCounts {
  let healthy = 0;
  let unhealthy = 0;
  for (const { health } of registeredTargets(world, service, time)) {
    if (health.State === 'healthy') healthy++;
    else if (health.State === 'unhealthy') unhealthy++;
  }
  return { healthy, unhealthy };
}
