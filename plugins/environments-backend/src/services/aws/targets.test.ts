import {
  GetMetricDataCommand,
  MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  accessDenied,
  clearAwsCalls,
  cloudWatch,
  createReader,
  ecs,
  elasticLoadBalancing,
  env,
  minutesAgo,
  mockCluster,
  mockServices,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

describe('AwsEnvironmentReader: load balancer targets', () => {
  const targetGroupArn = (name: string) =>
    `arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/${name}/0123456789abcdef`;
  const loadBalancerArn =
    'arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/kler-production/fedcba9876543210';

  function mockServicesBehindTargetGroups(names: string[]) {
    mockServices(names);
    ecs.on(DescribeServicesCommand).callsFake(input => ({
      services: (input.services as string[]).map(arn => {
        const name = arn.split('/').pop()!;
        return {
          serviceArn: arn,
          serviceName: name,
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          loadBalancers: [{ targetGroupArn: targetGroupArn(name) }],
        };
      }),
    }));
  }

  function mockTargetGroups(names: string[]) {
    elasticLoadBalancing.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: names.map(name => ({
        TargetGroupArn: targetGroupArn(name),
        LoadBalancerArns: [loadBalancerArn],
      })),
    });
  }

  /** Per target group name: [healthy, unhealthy] at the latest minute, or none. */
  function mockCounts(counts: Record<string, [number, number] | undefined>) {
    cloudWatch.on(GetMetricDataCommand).callsFake(input => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map(
        (query: MetricDataQuery) => {
          const dimension = query.MetricStat!.Metric!.Dimensions!.find(
            d => d.Name === 'TargetGroup',
          )!.Value!;
          const name = dimension.split('/')[1];
          const count = counts[name];
          const index =
            query.MetricStat!.Metric!.MetricName === 'HealthyHostCount' ? 0 : 1;
          return {
            Id: query.Id,
            StatusCode: 'Complete',
            Timestamps: count ? [minutesAgo(2), minutesAgo(3)] : [],
            Values: count ? [count[index], 0] : [],
          };
        },
      ),
    }));
  }

  function mockDescribedTargets(state: 'healthy' | 'unhealthy') {
    elasticLoadBalancing.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.0.1', Port: 8080 },
          TargetHealth: {
            State: state,
            Reason:
              state === 'unhealthy' ? 'Target.ResponseCodeMismatch' : undefined,
          },
        },
        {
          Target: { Id: `10.0.0.2`, Port: 8080 },
          TargetHealth: { State: 'healthy' },
        },
      ],
    });
  }

  it('counts targets from CloudWatch and describes only the target groups with an unhealthy target or no metrics', async () => {
    mockServicesBehindTargetGroups(['healthy', 'failing', 'new', 'detached']);
    mockTargetGroups(['healthy', 'failing', 'new']);
    mockCounts({ healthy: [2, 0], failing: [1, 1], new: undefined });
    mockDescribedTargets('unhealthy');

    const snapshot = await createReader().read(env);

    const metricQueries = cloudWatch
      .commandCalls(GetMetricDataCommand)
      .flatMap(call => call.args[0].input.MetricDataQueries ?? []);
    // The detached target group has no load balancer, hence no metrics to ask.
    expect(metricQueries).toHaveLength(6);
    expect(metricQueries[0]).toEqual({
      Id: expect.stringMatching(/^h\d+$/),
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HealthyHostCount',
          Dimensions: [
            {
              Name: 'TargetGroup',
              Value: expect.stringMatching(
                /^targetgroup\/\w+\/0123456789abcdef$/,
              ),
            },
            {
              Name: 'LoadBalancer',
              Value: 'app/kler-production/fedcba9876543210',
            },
          ],
        },
        Period: 60,
        Stat: 'Minimum',
      },
      ReturnData: true,
    });
    const described = elasticLoadBalancing
      .commandCalls(DescribeTargetHealthCommand)
      .map(call => call.args[0].input.TargetGroupArn)
      .sort();
    expect(described).toEqual(
      ['detached', 'failing', 'new'].map(targetGroupArn),
    );

    const byName = new Map(snapshot.services.map(s => [s.serviceName, s]));
    expect(byName.get('healthy')!.targetHealth).toEqual([]);
    expect(byName.get('healthy')!.targetGroups).toEqual([
      {
        targetGroupArn: targetGroupArn('healthy'),
        healthy: 2,
        unhealthy: 0,
        source: 'CloudWatch',
        at: minutesAgo(2).toISOString(),
      },
    ]);
    expect(byName.get('failing')!.targetGroups).toEqual([
      {
        targetGroupArn: targetGroupArn('failing'),
        healthy: 1,
        unhealthy: 1,
        source: 'DescribeTargetHealth',
      },
    ]);
    expect(byName.get('failing')!.targetHealth[0]).toMatchObject({
      targetId: '10.0.0.1',
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
    });
    expect(snapshot.readErrors).toEqual([]);
  });

  it('asks CloudWatch for 250 target groups a call', async () => {
    const names = Array.from({ length: 260 }, (_, i) => `service-${i}`);
    mockServicesBehindTargetGroups(names);
    mockTargetGroups(names);
    mockCounts(Object.fromEntries(names.map(name => [name, [2, 0]])));

    const snapshot = await createReader().read(env);

    expect(
      cloudWatch
        .commandCalls(GetMetricDataCommand)
        .map(call => call.args[0].input.MetricDataQueries?.length)
        .sort(),
    ).toEqual([20, 500]);
    expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
      DescribeTargetHealthCommand,
      0,
    );
    expect(
      snapshot.services.every(s => s.targetGroups?.[0]?.healthy === 2),
    ).toBe(true);
  });

  it('describes every target group when CloudWatch cannot be read, and says why', async () => {
    mockServicesBehindTargetGroups(['shop-api', 'storefront']);
    mockTargetGroups(['shop-api', 'storefront']);
    cloudWatch
      .on(GetMetricDataCommand)
      .rejects(accessDenied('cloudwatch:GetMetricData'));
    mockDescribedTargets('healthy');

    const snapshot = await createReader().read(env);

    expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
      DescribeTargetHealthCommand,
      2,
    );
    expect(snapshot.services.map(s => s.targetGroups?.[0])).toEqual([
      expect.objectContaining({ healthy: 2, source: 'DescribeTargetHealth' }),
      expect.objectContaining({ healthy: 2, source: 'DescribeTargetHealth' }),
    ]);
    expect(snapshot.readErrors).toEqual([
      {
        area: 'health',
        name: 'AccessDeniedException',
        message: expect.stringMatching(
          /^Target counts from CloudWatch: .*cloudwatch:GetMetricData/,
        ),
      },
    ]);
  });

  describe('between configuration reads', () => {
    let now: Date;
    let reader: ReturnType<typeof createReader>;
    const describedGroups = () =>
      elasticLoadBalancing
        .commandCalls(DescribeTargetHealthCommand)
        .map(call => call.args[0].input.TargetGroupArn!.split('/')[1])
        .sort();

    beforeEach(() => {
      now = new Date('2026-11-26T12:00:00.000Z');
      reader = createReader({
        now: () => now,
        configurationMaxAgeMs: 10 * 60_000,
      });
      mockCluster({ activeServicesCount: 3 });
      mockServicesBehindTargetGroups(['healthy', 'failing', 'flapping']);
      mockTargetGroups(['healthy', 'failing', 'flapping']);
      mockDescribedTargets('unhealthy');
    });

    it('describes an unhealthy target group again only when its counts change, or after the configuration period', async () => {
      mockCounts({ healthy: [2, 0], failing: [1, 1], flapping: [2, 0] });
      await reader.read(env);
      expect(describedGroups()).toEqual(['failing']);

      clearAwsCalls();
      now = new Date(now.getTime() + 60_000);
      mockCounts({ healthy: [2, 0], failing: [1, 1], flapping: [1, 1] });
      const snapshot = await reader.read(env);
      // failing is as unhealthy as it was: its targets' reasons are reused.
      expect(describedGroups()).toEqual(['flapping']);
      expect(cloudWatch).toHaveReceivedCommand(GetMetricDataCommand);
      expect(
        snapshot.services.find(s => s.serviceName === 'failing')!
          .targetHealth[0],
      ).toMatchObject({ state: 'unhealthy' });

      clearAwsCalls();
      now = new Date(now.getTime() + 10 * 60_000);
      await reader.read(env);
      expect(describedGroups()).toEqual(['failing', 'flapping']);
    });

    it("reads the target groups' load balancers again when a service has a new target group", async () => {
      mockCounts({ healthy: [2, 0], failing: [2, 0], flapping: [2, 0] });
      await reader.read(env);
      clearAwsCalls();
      await reader.read(env);
      expect(elasticLoadBalancing).not.toHaveReceivedCommand(
        DescribeTargetGroupsCommand,
      );

      mockCluster({ activeServicesCount: 4 });
      mockServicesBehindTargetGroups(['healthy', 'failing', 'flapping', 'new']);
      mockTargetGroups(['healthy', 'failing', 'flapping', 'new']);
      mockCounts({
        healthy: [2, 0],
        failing: [2, 0],
        flapping: [2, 0],
        new: [2, 0],
      });
      const snapshot = await reader.read(env);
      expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
        DescribeTargetGroupsCommand,
        1,
      );
      expect(snapshot.services.map(s => s.targetGroups?.[0]?.source)).toEqual([
        'CloudWatch',
        'CloudWatch',
        'CloudWatch',
        'CloudWatch',
      ]);
    });
  });
});
