import type { AlarmSpec } from '../scenario/schema';
import { autoScalingGroupState } from './capacity';
import type { EnvironmentWorld } from './simulation';
import { bucketOf, bucketStart, DAY, BUCKET, CREATED_AT } from './time';

/** The alarm's metric for one 5-minute bucket. */
export function alarmMetric(
  world: EnvironmentWorld,
  alarm: AlarmSpec,
  bucket: number,
): number {
  if (alarm.service) {
    const service = world.service(alarm.service)!;
    return alarm.metric === 'MemoryUtilization'
      ? world.traffic.memoryUtilization(service, bucket)
      : world.traffic.cpuUtilization(service, bucket);
  }
  const time = bucketStart(bucket);
  const reserved = world.spec.services.reduce(
    (sum, service) =>
      sum + world.traffic.desired(service, bucket) * service.cpu,
    0,
  );
  const capacity = world.spec.capacityProviders.reduce((sum, cp) => {
    const state = autoScalingGroupState(world, cp.name, time)!;
    return sum + state.desired * cp.autoScalingGroup.instanceCpu;
  }, 0);
  return capacity === 0 ? 0 : (100 * reserved) / capacity;
}

function breaching(alarm: AlarmSpec, value: number): boolean {
  return alarm.comparison === 'GreaterThanOrEqualToThreshold'
    ? value >= alarm.threshold
    : value > alarm.threshold;
}

export interface AlarmState {
  state: 'ALARM' | 'OK';
  changedAt: number;
  latest: number;
  latestAt: number;
}

/**
 * ALARM when the last `evaluationPeriods` complete buckets all breach; also
 * when the state last changed (looking back a day). A day of metrics per
 * alarm is costly, so each alarm's state is computed once per bucket.
 */
export function alarmState(
  world: EnvironmentWorld,
  alarm: AlarmSpec,
  now: number,
): AlarmState {
  const bucket = bucketOf(now);
  return world.alarmStates.get(`${alarm.name}\u0000${bucket}`, () =>
    computeAlarmState(world, alarm, bucket),
  );
}

function computeAlarmState(
  world: EnvironmentWorld,
  alarm: AlarmSpec,
  bucket: number,
): AlarmState {
  const span = DAY / BUCKET;
  const periods = alarm.evaluationPeriods;
  // breach[i]: whether bucket (bucket - 1 - i) breached
  const values = Array.from({ length: span + periods + 1 }, (_, i) =>
    alarmMetric(world, alarm, bucket - 1 - i),
  );
  const breach = values.map(value => breaching(alarm, value));
  const stateAt = (offset: number): AlarmState['state'] =>
    breach.slice(offset, offset + periods).every(Boolean) ? 'ALARM' : 'OK';
  const state = stateAt(0);
  let offset = 1;
  while (offset <= span && stateAt(offset) === state) offset++;
  const changedAt =
    offset <= span ? bucketStart(bucket - offset + 1) : CREATED_AT;
  return {
    state,
    changedAt,
    latest: values[0],
    latestAt: bucketStart(bucket - 1),
  };
}
