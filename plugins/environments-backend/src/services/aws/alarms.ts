import { DescribeAlarmsCommand, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarm } from '@kler/plugin-environments-common';
import { collectPages } from './concurrency';
import { ReadContext } from './types';

const ALARMS_PAGE_SIZE = 100;

export interface EnvironmentAlarms {
  /** Alarms with dimension ClusterName only. */
  clusterAlarms: CloudWatchAlarm[];
  /** Alarms with dimensions ClusterName and ServiceName, keyed by service name. */
  serviceAlarms: Map<string, CloudWatchAlarm[]>;
}

/** Reads the account's metric alarms and keeps those on the environment's cluster or its services. */
export async function readAlarms(ctx: ReadContext): Promise<EnvironmentAlarms> {
  const { clients, env, limit, sendOptions } = ctx;
  const metricAlarms = await collectPages<MetricAlarm>(async NextToken => {
    const page = await limit('DescribeAlarms', () =>
      clients.cloudWatch.send(
        new DescribeAlarmsCommand({ MaxRecords: ALARMS_PAGE_SIZE, NextToken }),
        sendOptions,
      ),
    );
    return { items: page.MetricAlarms, nextToken: page.NextToken };
  });

  const result: EnvironmentAlarms = {
    clusterAlarms: [],
    serviceAlarms: new Map(),
  };
  for (const metricAlarm of metricAlarms) {
    const alarm = toCloudWatchAlarm(metricAlarm);
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
    stateUpdatedTimestamp: alarm.StateUpdatedTimestamp?.toISOString(),
    namespace: alarm.Namespace,
    metricName: alarm.MetricName,
    dimensions: (alarm.Dimensions ?? []).map(d => ({
      name: d.Name ?? '',
      value: d.Value ?? '',
    })),
  };
}
