import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  paginateDescribeScalingActivities,
  ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import type { RunningSandbox } from '../server';
import { clientConfig, PEAK, PRODUCTION, startKlerSandbox } from '../testUtils';

describe('Application Auto Scaling', () => {
  let sandbox: RunningSandbox;
  let client: ApplicationAutoScalingClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    client = new ApplicationAutoScalingClient(
      clientConfig(sandbox.url, PRODUCTION),
    );
  });
  afterAll(() => sandbox.close());

  it('describes the scalable targets of the ECS services that scale', async () => {
    const out = await client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        ResourceIds: [
          'service/kler-production/storefront',
          'service/kler-production/admin-panel',
        ],
      }),
    );
    // admin-panel runs a fixed count and has no target
    expect(out.ScalableTargets).toHaveLength(1);
    expect(out.ScalableTargets![0]).toMatchObject({
      ResourceId: 'service/kler-production/storefront',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 3,
      MaxCapacity: 12,
    });
    expect(out.ScalableTargets![0].CreationTime).toBeInstanceOf(Date);
    const all = await client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        MaxResults: 2,
      }),
    );
    expect(all.ScalableTargets).toHaveLength(2);
    expect(all.NextToken).toBeDefined();
  });

  it('rejects more than 50 ResourceIds and a missing namespace', async () => {
    await expect(
      client.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: Array.from(
            { length: 51 },
            (_, i) => `service/kler-production/s${i}`,
          ),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: undefined as any,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('describes target tracking policies, 10 per page at most', async () => {
    const out = await client.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: 'ecs',
        ResourceId: 'service/kler-production/storefront',
      }),
    );
    expect(out.ScalingPolicies).toHaveLength(1);
    expect(out.ScalingPolicies![0]).toMatchObject({
      PolicyName: 'storefront-cpu-target',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
        },
      },
    });
    expect(out.ScalingPolicies![0].Alarms).toHaveLength(2);
    await expect(
      client.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: 'ecs',
          MaxResults: 11,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('records the scaling of the last 24 hours, newest first, up to the peak', async () => {
    const activities: ScalingActivity[] = [];
    for await (const page of paginateDescribeScalingActivities(
      { client },
      { ServiceNamespace: 'ecs' },
    )) {
      activities.push(...page.ScalingActivities!);
    }
    expect(activities.length).toBeGreaterThan(50);
    const times = activities.map(a => a.StartTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Date.parse(PEAK) - times[times.length - 1]).toBeLessThanOrEqual(
      24 * 3600 * 1000,
    );
    const storefront = activities.filter(
      a => a.ResourceId === 'service/kler-production/storefront',
    );
    expect(storefront[0].Description).toBe('Setting desired count to 12.');
    expect(storefront[0].StatusCode).toBe('Successful');
    const first = await client.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs' }),
    );
    expect(first.ScalingActivities).toHaveLength(50);
  });
});
