import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  NIGHT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

describe('CloudWatch', () => {
  let sandbox: RunningSandbox;
  let client: CloudWatchClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    client = new CloudWatchClient(clientConfig(sandbox.url, PRODUCTION));
  });
  afterAll(() => sandbox.close());

  async function alarms(): Promise<MetricAlarm[]> {
    const out: MetricAlarm[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeAlarmsCommand({ MaxRecords: 2, NextToken }),
      );
      out.push(...page.MetricAlarms!);
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  it('describes alarms with ECS dimensions, paginated', async () => {
    const all = await alarms();
    expect(all).toHaveLength(5);
    const storefront = all.find(
      a => a.AlarmName === 'kler-production-storefront-cpu-high',
    )!;
    expect(storefront.Dimensions).toEqual([
      { Name: 'ClusterName', Value: 'kler-production' },
      { Name: 'ServiceName', Value: 'storefront' },
    ]);
    expect(storefront.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(storefront.Threshold).toBe(80);
    const cluster = all.find(a => a.MetricName === 'CPUReservation')!;
    expect(cluster.Dimensions).toEqual([
      { Name: 'ClusterName', Value: 'kler-production' },
    ]);
  });

  it('flips the storefront alarm with the evening load', async () => {
    const peak = await client.send(
      new DescribeAlarmsCommand({
        AlarmNames: ['kler-production-storefront-cpu-high'],
      }),
    );
    expect(peak.MetricAlarms![0].StateValue).toBe('ALARM');
    const inAlarm = await client.send(
      new DescribeAlarmsCommand({ StateValue: 'ALARM' }),
    );
    expect(inAlarm.MetricAlarms!.map(a => a.AlarmName)).toContain(
      'kler-production-storefront-cpu-high',
    );
    sandbox.admin.setClock({ set: NIGHT });
    const night = await client.send(
      new DescribeAlarmsCommand({
        AlarmNames: ['kler-production-storefront-cpu-high'],
      }),
    );
    expect(night.MetricAlarms![0].StateValue).toBe('OK');
    sandbox.admin.setClock({ set: PEAK });
  });

  it('rejects MaxRecords above 100 with the query-compatible error code', async () => {
    const error = await client
      .send(new DescribeAlarmsCommand({ MaxRecords: 101 }))
      .catch(e => e);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.Code).toBe('InvalidParameterValue');
  });
});
