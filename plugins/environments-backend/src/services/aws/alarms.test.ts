import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  clearAwsCalls,
  cloudWatch,
  createReader,
  env,
  minutesAgo,
  mockCluster,
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

describe('AwsEnvironmentReader: alarms between full listings', () => {
  const alarm = (
    name: string,
    state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
    serviceName = 'shop-api',
  ) => ({
    AlarmName: name,
    StateValue: state,
    StateUpdatedTimestamp: minutesAgo(1),
    Dimensions: [
      { Name: 'ClusterName', Value: 'kler-production' },
      { Name: 'ServiceName', Value: serviceName },
    ],
  });

  /** The account's alarms, answered with DescribeAlarms' filters. */
  function mockAlarms(alarms: Array<ReturnType<typeof alarm>>) {
    cloudWatch.on(DescribeAlarmsCommand).callsFake(input => ({
      MetricAlarms: alarms.filter(
        a =>
          (!input.StateValue || a.StateValue === input.StateValue) &&
          (!input.AlarmNames || input.AlarmNames.includes(a.AlarmName)),
      ),
    }));
  }

  const statesOf = (snapshot: Awaited<ReturnType<typeof read>>) =>
    Object.fromEntries(
      snapshot.services[0].alarms.map(a => [a.alarmName, a.stateValue]),
    );
  let read: (typeof reader)['read'];
  let reader: ReturnType<typeof createReader>;

  beforeEach(() => {
    mockServices(['shop-api']);
    mockCluster({ activeServicesCount: 1 });
    reader = createReader();
    read = reader.read.bind(reader);
  });

  it('lists the alarms in ALARM, and describes by name those that left it', async () => {
    mockAlarms([
      alarm('cpu', 'OK'),
      alarm('memory', 'ALARM'),
      alarm('5xx', 'INSUFFICIENT_DATA'),
    ]);
    await read(env);

    clearAwsCalls();
    mockAlarms([
      alarm('cpu', 'ALARM'),
      alarm('memory', 'OK'),
      alarm('5xx', 'INSUFFICIENT_DATA'),
      alarm('latency', 'ALARM'),
    ]);
    const snapshot = await read(env);

    expect(
      cloudWatch.commandCalls(DescribeAlarmsCommand).map(c => c.args[0].input),
    ).toEqual([
      { StateValue: 'ALARM', MaxRecords: 100, NextToken: undefined },
      { AlarmNames: ['memory'], MaxRecords: 100, NextToken: undefined },
    ]);
    expect(statesOf(snapshot)).toEqual({
      cpu: 'ALARM',
      memory: 'OK',
      '5xx': 'INSUFFICIENT_DATA',
      // Created since the full listing, already in ALARM.
      latency: 'ALARM',
    });
  });

  it('drops an alarm that left ALARM and no longer exists', async () => {
    mockAlarms([alarm('memory', 'ALARM')]);
    await read(env);

    mockAlarms([]);
    const snapshot = await read(env);

    expect(statesOf(snapshot)).toEqual({});
  });

  it('lists every alarm again when the services changed', async () => {
    mockAlarms([alarm('cpu', 'OK')]);
    await read(env);

    clearAwsCalls();
    mockServices(['shop-api', 'storefront']);
    mockCluster({ activeServicesCount: 2 });
    mockAlarms([alarm('cpu', 'OK'), alarm('cpu', 'OK', 'storefront')]);
    const snapshot = await read(env);

    // The whole list, not the alarms in ALARM.
    expect(
      cloudWatch
        .commandCalls(DescribeAlarmsCommand)
        .map(c => c.args[0].input.StateValue),
    ).toEqual([undefined]);
    expect(snapshot.services[1].alarms.map(a => a.alarmName)).toEqual(['cpu']);
  });
});
