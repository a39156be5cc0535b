import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricDataCommandInput,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ScenarioInput } from '../scenario/schema';
import { RunningSandbox, startSandbox } from '../server';
import { clientConfig, PEAK, PRODUCTION, startKlerSandbox } from '../testUtils';

const MINUTE = 60_000;

/** The dimensions ELB publishes target counts under, from DescribeTargetGroups. */
function dimensionsOf(group: TargetGroup) {
  const arn = group.TargetGroupArn!;
  const loadBalancer = group.LoadBalancerArns![0];
  return [
    {
      Name: 'TargetGroup',
      Value: arn.slice(arn.indexOf(':targetgroup/') + 1),
    },
    {
      Name: 'LoadBalancer',
      Value: loadBalancer.slice(
        loadBalancer.indexOf(':loadbalancer/') + ':loadbalancer/'.length,
      ),
    },
  ];
}

/** The two queries the environments backend sends per target group. */
function countQueries(group: TargetGroup, index: number): MetricDataQuery[] {
  const query = (
    id: string,
    MetricName: string,
    Stat: string,
  ): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName,
        Dimensions: dimensionsOf(group),
      },
      Period: 60,
      Stat,
    },
  });
  return [
    query(`h${index}`, 'HealthyHostCount', 'Minimum'),
    query(`u${index}`, 'UnHealthyHostCount', 'Maximum'),
  ];
}

async function targetGroups(url: string, account: string) {
  const elb = new ElasticLoadBalancingV2Client(clientConfig(url, account));
  return (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!;
}

describe('CloudWatch GetMetricData', () => {
  let sandbox: RunningSandbox;
  let cloudWatch: CloudWatchClient;
  let groups: TargetGroup[];
  const now = Date.parse(PEAK);
  const window = {
    StartTime: new Date(now - 5 * MINUTE),
    EndTime: new Date(now),
  };

  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    cloudWatch = new CloudWatchClient(clientConfig(sandbox.url, PRODUCTION));
    groups = await targetGroups(sandbox.url, PRODUCTION);
  });
  afterAll(() => sandbox.close());

  const getMetricData = (input: Partial<GetMetricDataCommandInput>) =>
    cloudWatch.send(
      new GetMetricDataCommand({
        ...window,
        MetricDataQueries: countQueries(groups[0], 0),
        ...input,
      }),
    );

  it('answers the published minutes of the target counts, newest first', async () => {
    const out = await getMetricData({ ScanBy: 'TimestampDescending' });
    expect(out.NextToken).toBeUndefined();
    expect(out.Messages).toEqual([]);
    // 19:25 to 19:28: the 19:29 minute is not published before 19:30 + 1 min
    const minutes = [3, 2, 1, 0].map(
      m => new Date(now - 5 * MINUTE + m * MINUTE),
    );
    const [healthy, unhealthy] = out.MetricDataResults!;
    expect(healthy).toEqual({
      Id: 'h0',
      Label: 'HealthyHostCount',
      StatusCode: 'Complete',
      Timestamps: minutes,
      Values: expect.any(Array),
    });
    expect(unhealthy).toMatchObject({
      Id: 'u0',
      Label: 'UnHealthyHostCount',
      StatusCode: 'Complete',
      Timestamps: minutes,
    });
    // storefront runs all twelve tasks at the peak, all healthy
    expect(healthy.Values).toEqual([12, 12, 12, 12]);
    expect(unhealthy.Values).toEqual([0, 0, 0, 0]);
  });

  it('orders oldest first with TimestampAscending', async () => {
    const out = await getMetricData({ ScanBy: 'TimestampAscending' });
    const timestamps = out.MetricDataResults![0].Timestamps!.map(t =>
      t.getTime(),
    );
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(timestamps).toHaveLength(4);
  });

  it('aggregates whole periods by the statistic and takes the Label asked for', async () => {
    const [query] = countQueries(groups[0], 0);
    const out = await getMetricData({
      StartTime: new Date(now - 30 * MINUTE),
      MetricDataQueries: [
        {
          ...query,
          Label: 'storefront healthy',
          MetricStat: {
            ...query.MetricStat!,
            Period: 300,
            Stat: 'SampleCount',
          },
        },
      ],
    });
    const [result] = out.MetricDataResults!;
    expect(result.Label).toBe('storefront healthy');
    // 19:00 .. 19:20: the 19:25 period ends at 19:30, later than published
    expect(result.Timestamps).toHaveLength(5);
    expect(result.Values).toEqual([5, 5, 5, 5, 5]);
  });

  it('answers no datapoints for metrics the sandbox does not publish', async () => {
    const [query] = countQueries(groups[0], 0);
    const metric = query.MetricStat!.Metric!;
    const out = await getMetricData({
      MetricDataQueries: [
        {
          ...query,
          Id: 'other',
          MetricStat: {
            ...query.MetricStat!,
            Metric: { ...metric, MetricName: 'RequestCount' },
          },
        },
        {
          ...query,
          Id: 'onlytargetgroup',
          MetricStat: {
            ...query.MetricStat!,
            Metric: { ...metric, Dimensions: metric.Dimensions!.slice(0, 1) },
          },
        },
        {
          ...query,
          Id: 'unknowngroup',
          MetricStat: {
            ...query.MetricStat!,
            Metric: {
              ...metric,
              Dimensions: [
                {
                  Name: 'TargetGroup',
                  Value: 'targetgroup/none/0000000000000000',
                },
                metric.Dimensions![1],
              ],
            },
          },
        },
      ],
    });
    expect(out.MetricDataResults).toEqual(
      ['other', 'onlytargetgroup', 'unknowngroup'].map(Id => ({
        Id,
        Label: expect.any(String),
        Timestamps: [],
        Values: [],
        StatusCode: 'Complete',
      })),
    );
  });

  it('pages with NextToken when MaxDatapoints is exceeded', async () => {
    const whole = await getMetricData({});
    const merged = new Map<string, MetricDataResult>();
    const statuses: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await getMetricData({ MaxDatapoints: 3, NextToken });
      pages++;
      for (const result of page.MetricDataResults!) {
        statuses.push(`${result.Id}:${result.StatusCode}`);
        const earlier = merged.get(result.Id!);
        merged.set(result.Id!, {
          ...result,
          Timestamps: [...(earlier?.Timestamps ?? []), ...result.Timestamps!],
          Values: [...(earlier?.Values ?? []), ...result.Values!],
          StatusCode: 'Complete',
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toBe(3);
    expect(statuses).toEqual([
      'h0:PartialData',
      'h0:Complete',
      'u0:PartialData',
      'u0:Complete',
    ]);
    expect([...merged.values()]).toEqual(whole.MetricDataResults);
    const badToken = await getMetricData({ NextToken: 'nonsense' }).catch(
      e => e,
    );
    expect(badToken.name).toBe('InvalidNextToken');
  });

  it('answers the newest page of a two-week window', async () => {
    const out = await getMetricData({
      StartTime: new Date(now - 14 * 24 * 60 * MINUTE),
      MaxDatapoints: 100,
    });
    const [healthy] = out.MetricDataResults!;
    expect(healthy.StatusCode).toBe('PartialData');
    expect(healthy.Timestamps).toHaveLength(100);
    expect(healthy.Timestamps![0]).toEqual(new Date(now - 2 * MINUTE));
    expect(healthy.Timestamps![99]).toEqual(new Date(now - 101 * MINUTE));
    expect(out.NextToken).toEqual(expect.any(String));
  });

  it('validates like CloudWatch', async () => {
    const [query] = countQueries(groups[0], 0);
    const failure = async (input: Partial<GetMetricDataCommandInput>) => {
      const error = await getMetricData(input).catch(e => e);
      expect(error.$metadata.httpStatusCode).toBe(400);
      return { code: error.Code ?? error.name, message: error.message };
    };
    expect(
      await failure({
        MetricDataQueries: Array.from({ length: 501 }, (_, i) => ({
          ...query,
          Id: `q${i}`,
        })),
      }),
    ).toEqual({
      code: 'ValidationError',
      message: expect.stringContaining(
        'Member must have length less than or equal to 500',
      ),
    });
    expect(await failure({ MetricDataQueries: [query, { ...query }] })).toEqual(
      {
        code: 'ValidationError',
        message: expect.stringContaining('must be unique'),
      },
    );
    for (const Id of ['H0', '0h', 'h-0']) {
      expect(await failure({ MetricDataQueries: [{ ...query, Id }] })).toEqual({
        code: 'ValidationError',
        message: expect.stringContaining(`The value ${Id} for parameter`),
      });
    }
    expect(
      await failure({ StartTime: window.EndTime, EndTime: window.StartTime }),
    ).toEqual({
      code: 'InvalidParameterValue',
      message:
        'The parameter StartTime must be less than the parameter EndTime.',
    });
    expect(
      await failure({
        MetricDataQueries: [
          { ...query, MetricStat: { ...query.MetricStat!, Period: 90 } },
        ],
      }),
    ).toEqual({
      code: 'InvalidParameterValue',
      message:
        'The parameter MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60.',
    });
    expect(
      await failure({
        MetricDataQueries: [
          { Id: 'm', Expression: "SEARCH('{AWS/ApplicationELB}', 'Minimum')" },
        ],
      }),
    ).toEqual({
      code: 'ValidationError',
      message: expect.stringContaining(
        'the AWS sandbox does not evaluate metric math or SEARCH expressions',
      ),
    });
  });

  it('takes 500 queries: 250 target groups of a large environment', async () => {
    const [query] = countQueries(groups[0], 0);
    const out = await getMetricData({
      MetricDataQueries: Array.from({ length: 500 }, (_, i) => ({
        ...query,
        Id: `h${i}`,
      })),
    });
    expect(out.MetricDataResults).toHaveLength(500);
  });
});

describe('GetMetricData agrees with DescribeTargetHealth', () => {
  const ACCOUNT = '333333333333';
  const scenario: ScenarioInput = {
    seed: 'consistency',
    accounts: [{ id: ACCOUNT, name: 'consistency' }],
    throttling: { enabled: false, ratePerSecond: 20, burst: 40 },
    environments: [
      {
        name: 'consistency',
        account: ACCOUNT,
        cluster: 'consistency',
        vault: 'consistency',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        capacityProviders: [
          {
            name: 'consistency-ec2',
            autoScalingGroup: { name: 'consistency-asg', min: 1, max: 6 },
          },
        ],
        services: [
          { name: 'steady', min: 2, max: 2, targetGroup: 'steady' },
          {
            name: 'flapping',
            min: 3,
            max: 6,
            traffic: 1,
            targetGroup: 'flapping',
            health: 'flapping',
            deployment: { everyHours: 2, rolloutMinutes: 10 },
          },
          {
            name: 'broken',
            min: 2,
            max: 2,
            targetGroup: 'broken',
            health: 'unhealthy',
          },
        ],
      },
    ],
  };
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario,
      clock: { start: PEAK, speed: 0 },
    });
  });
  afterAll(() => sandbox.close());

  it("equals DescribeTargetHealth's counts at each latest datapoint's minute", async () => {
    const cloudWatch = new CloudWatchClient(clientConfig(sandbox.url, ACCOUNT));
    const elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, ACCOUNT),
    );
    const groups = await targetGroups(sandbox.url, ACCOUNT);
    expect(groups.map(g => g.TargetGroupName)).toEqual([
      'steady',
      'flapping',
      'broken',
    ]);
    const seen = new Map<string, Set<string>>(
      groups.map(g => [g.TargetGroupName!, new Set()]),
    );
    // every 7 minutes for three hours: across deployments and flapping buckets
    for (let step = 0; step < 26; step++) {
      const now = Date.parse(PEAK) + step * 7 * MINUTE;
      sandbox.admin.setClock({ set: now });
      const out = await cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: groups.flatMap(countQueries),
          StartTime: new Date(now - 5 * MINUTE),
          EndTime: new Date(now),
          ScanBy: 'TimestampDescending',
        }),
      );
      const results = new Map(out.MetricDataResults!.map(r => [r.Id!, r]));
      for (const [index, group] of groups.entries()) {
        const healthy = results.get(`h${index}`)!;
        const unhealthy = results.get(`u${index}`)!;
        const latest = healthy.Timestamps![0];
        expect(unhealthy.Timestamps![0]).toEqual(latest);
        sandbox.admin.setClock({ set: latest });
        const described = await elb.send(
          new DescribeTargetHealthCommand({
            TargetGroupArn: group.TargetGroupArn,
          }),
        );
        const states = described.TargetHealthDescriptions!.map(
          d => d.TargetHealth!.State,
        );
        expect({
          group: group.TargetGroupName,
          at: latest,
          healthy: healthy.Values![0],
          unhealthy: unhealthy.Values![0],
        }).toEqual({
          group: group.TargetGroupName,
          at: latest,
          healthy: states.filter(s => s === 'healthy').length,
          unhealthy: states.filter(s => s === 'unhealthy').length,
        });
        seen
          .get(group.TargetGroupName!)!
          .add(`${healthy.Values![0]}/${unhealthy.Values![0]}`);
        sandbox.admin.setClock({ set: now });
      }
    }
    expect([...seen.get('steady')!]).toEqual(['2/0']);
    expect([...seen.get('broken')!]).toEqual(['0/2']);
    // the flapping group moves between healthy and unhealthy counts
    const flapping = [...seen.get('flapping')!];
    expect(flapping.length).toBeGreaterThan(2);
    expect(flapping.some(counts => counts.endsWith('/0'))).toBe(true);
    expect(flapping.some(counts => !counts.endsWith('/0'))).toBe(true);
  });
});
