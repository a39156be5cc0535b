import {
  DescribeAlarmsCommand,
  DescribeAlarmsCommandInput,
  MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarm } from '@kler/plugin-environments-common';
import { chunk, collectPages } from './concurrency';
import { isoTime } from './time';
import { ReadContext } from './types';

const ALARMS_PAGE_SIZE = 100;
/** DescribeAlarms takes at most 100 alarm names per call. */
export const ALARM_NAMES_PER_CALL = 100;

export interface EnvironmentAlarms {
  /** Alarms with dimension ClusterName only. */
  clusterAlarms: CloudWatchAlarm[];
  /** Alarms with dimensions ClusterName and ServiceName, keyed by service name. */
  serviceAlarms: Map<string, CloudWatchAlarm[]>;
}

/** Reads the account's metric alarms and keeps those on the environment's cluster or its services. */
export async function readAlarms(ctx: ReadContext): Promise<EnvironmentAlarms> {
  return groupByTarget(ctx, await describeAlarms(ctx, {}));
}

/**
 * The alarms of an earlier full listing with their states of now, for two
 * calls or so instead of a page per hundred alarms: the alarms in ALARM are
 * listed (one page for all but a very bad day), and the known alarms that
 * were in ALARM and are no longer are described by name. The other known
 * alarms were not in ALARM and are still not: the rules only look at ALARM,
 * and their OK or INSUFFICIENT_DATA state is that of the full listing.
 */
export async function readAlarmStates(
  ctx: ReadContext,
  known: EnvironmentAlarms,
): Promise<EnvironmentAlarms> {
  const knownAlarms = [
    ...known.clusterAlarms,
    ...[...known.serviceAlarms.values()].flat(),
  ];
  const firing = new Map(
    (await describeAlarms(ctx, { StateValue: 'ALARM' })).map(alarm => [
      alarm.alarmName,
      alarm,
    ]),
  );
  const leftAlarm = new Set(
    knownAlarms
      .filter(
        alarm => alarm.stateValue === 'ALARM' && !firing.has(alarm.alarmName),
      )
      .map(alarm => alarm.alarmName),
  );
  const described = new Map(
    (
      await Promise.all(
        chunk([...leftAlarm], ALARM_NAMES_PER_CALL).map(AlarmNames =>
          describeAlarms(ctx, { AlarmNames }),
        ),
      )
    )
      .flat()
      .map(alarm => [alarm.alarmName, alarm]),
  );
  const current: CloudWatchAlarm[] = [];
  for (const alarm of knownAlarms) {
    const now = firing.get(alarm.alarmName) ?? described.get(alarm.alarmName);
    if (now) {
      current.push(now);
      firing.delete(alarm.alarmName);
    } else if (!leftAlarm.has(alarm.alarmName)) {
      current.push(alarm);
    }
    // An alarm that left ALARM and is not described any more was deleted.
  }
  // Alarms created since the full listing, already in ALARM.
  current.push(...firing.values());
  return groupByTarget(ctx, current);
}

async function describeAlarms(
  { clients, limit, sendOptions }: ReadContext,
  filter: Pick<DescribeAlarmsCommandInput, 'StateValue' | 'AlarmNames'>,
): Promise<CloudWatchAlarm[]> {
  const alarms = await collectPages<MetricAlarm>(async NextToken => {
    const page = await limit('DescribeAlarms', () =>
      clients.cloudWatch.send(
        new DescribeAlarmsCommand({
          ...filter,
          MaxRecords: ALARMS_PAGE_SIZE,
          NextToken,
        }),
        sendOptions,
      ),
    );
    return { items: page.MetricAlarms, nextToken: page.NextToken };
  });
  return alarms.map(toCloudWatchAlarm);
}

function groupByTarget(
  { env }: ReadContext,
  alarms: CloudWatchAlarm[],
): EnvironmentAlarms {
  const result: EnvironmentAlarms = {
    clusterAlarms: [],
    serviceAlarms: new Map(),
  };
  for (const alarm of alarms) {
    const dimension = (name: string) =>
      alarm.dimensions.find(d => d.name === name)?.value;
    if (dimension('ClusterName') !== env.cluster) {
      continue;
    }
    const serviceName = dimension('ServiceName');
    if (serviceName) {
      const list = result.serviceAlarms.get(serviceName) ?? [];
      list.push(alarm);
      result.serviceAlarms.set(serviceName, list);
    } else {
      result.clusterAlarms.push(alarm);
    }
  }
  return result;
}

function toCloudWatchAlarm(alarm: MetricAlarm): CloudWatchAlarm {
  return {
    alarmName: alarm.AlarmName ?? '',
    alarmArn: alarm.AlarmArn,
    stateValue: alarm.StateValue ?? 'INSUFFICIENT_DATA',
    stateReason: alarm.StateReason,
    stateUpdatedTimestamp: isoTime(alarm.StateUpdatedTimestamp),
    namespace: alarm.Namespace,
    metricName: alarm.MetricName,
    dimensions: (alarm.Dimensions ?? []).map(d => ({
      name: d.Name ?? '',
      value: d.Value ?? '',
    })),
  };
}
