import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  cloudWatch,
  createReader,
  env,
  minutesAgo,
  mockServices,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

describe('AwsEnvironmentReader: alarms', () => {
  it('pages through alarms and maps them to the cluster and its services', async () => {
    mockServices(['shop-api']);
    const alarm = (name: string, dimensions: Record<string, string>) => ({
      AlarmName: name,
      StateValue: 'ALARM' as const,
      StateReason: 'Threshold crossed',
      StateUpdatedTimestamp: minutesAgo(5),
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    });
    cloudWatch.on(DescribeAlarmsCommand).callsFake(input =>
      input.NextToken
        ? {
            MetricAlarms: [
              alarm('cluster-cpu', { ClusterName: 'kler-production' }),
              alarm('other-cluster', {
                ClusterName: 'kler-development',
                ServiceName: 'shop-api',
              }),
            ],
          }
        : {
            MetricAlarms: [
              alarm('shop-api-cpu', {
                ClusterName: 'kler-production',
                ServiceName: 'shop-api',
              }),
            ],
            NextToken: 'second',
          },
    );

    const snapshot = await createReader().read(env);

    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      MaxRecords: 100,
    });
    expect(snapshot.services[0].alarms.map(a => a.alarmName)).toEqual([
      'shop-api-cpu',
    ]);
    expect(snapshot.services[0].alarms[0]).toMatchObject({
      stateValue: 'ALARM',
      stateUpdatedTimestamp: minutesAgo(5).toISOString(),
      dimensions: [
        { name: 'ClusterName', value: 'kler-production' },
        { name: 'ServiceName', value: 'shop-api' },
      ],
    });
    expect(snapshot.cluster?.alarms.map(a => a.alarmName)).toEqual([
      'cluster-cpu',
    ]);
  });
});
