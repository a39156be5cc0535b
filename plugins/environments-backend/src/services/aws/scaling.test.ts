import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand } from '@aws-sdk/client-ecs';
import {
  applicationAutoScaling,
  autoScaling,
  clearAwsCalls,
  createReader,
  ecs,
  env,
  minutesAgo,
  mockCluster,
  mockEmptyAccount,
  mockServices,
  pages,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';
import { createLimiter, Limiter } from './concurrency';
import { autoScalingGroupNameFromArn } from './ecs';
import {
  readAutoScalingGroups,
  readScalableTargets,
  readScalingPolicies,
  SCALING_POLICIES_PAGE_SIZE,
} from './scaling';
import { AwsClients, AwsEnvironment, ReadContext } from './types';

useAwsMocks();

describe('readScalableTargets and readScalingPolicies', () => {
  const policy = (resourceId: string, name: string): ScalingPolicy => ({
    PolicyName: name,
    PolicyARN: `arn:policy:${resourceId}:${name}`,
    ServiceNamespace: 'ecs',
    ResourceId: resourceId,
    ScalableDimension: 'ecs:service:DesiredCount',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 60,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
      },
    },
    CreationTime: new Date('2026-11-01T00:00:00Z'),
  });

  it('reads the targets in batches of 50 and lists the namespace policies once, page by page', async () => {
    const serviceNames = Array.from({ length: 30 }, (_, i) => `service-${i}`);
    applicationAutoScaling
      .on(DescribeScalableTargetsCommand)
      .callsFake(input => ({
        ScalableTargets: (input.ResourceIds as string[]).map(id => ({
          ServiceNamespace: 'ecs',
          ResourceId: id,
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 1,
          MaxCapacity: 4,
          RoleARN: 'arn:role',
          CreationTime: new Date('2026-11-01T00:00:00Z'),
        })),
      }));
    // One policy per service in this cluster and in another one, 60 in all.
    const allPolicies = serviceNames.flatMap(name => [
      policy(`service/kler-development/${name}`, `dev-${name}`),
      policy(`service/kler-production/${name}`, `prod-${name}`),
    ]);
    applicationAutoScaling
      .on(DescribeScalingPoliciesCommand)
      .callsFake(input => {
        const offset = Number(input.NextToken ?? 0);
        const size = input.MaxResults ?? 10;
        const next = offset + size;
        return {
          ScalingPolicies: allPolicies.slice(offset, next),
          NextToken: next < allPolicies.length ? String(next) : undefined,
        };
      });
    const ctx = {
      clients: {
        applicationAutoScaling: new ApplicationAutoScalingClient({
          region: 'eu-west-1',
        }),
      } as Partial<AwsClients> as AwsClients,
      env: { cluster: 'kler-production' } as AwsEnvironment,
      limit: createLimiter({
        concurrency: 4,
        callsPerSecond: 1000,
        burst: 1000,
      }) as Limiter,
      sendOptions: {},
    } as ReadContext;

    const [scaling, policies] = await Promise.all([
      readScalableTargets(ctx, serviceNames),
      readScalingPolicies(ctx),
    ]);

    const policyInputs = applicationAutoScaling
      .commandCalls(DescribeScalingPoliciesCommand)
      .map(call => call.args[0].input);
    expect(SCALING_POLICIES_PAGE_SIZE).toBe(10);
    expect(policyInputs).toHaveLength(6);
    expect(policyInputs.map(input => input.NextToken)).toEqual([
      undefined,
      '10',
      '20',
      '30',
      '40',
      '50',
    ]);
    // AWS documents ScalableDimension as needing a ResourceId: the
    // namespace is listed whole and the dimension picked here.
    for (const input of policyInputs) {
      expect(input).toEqual({
        ServiceNamespace: 'ecs',
        MaxResults: 10,
        NextToken: input.NextToken,
      });
    }
    expect(
      applicationAutoScaling
        .commandCalls(DescribeScalableTargetsCommand)
        .map(call => call.args[0].input.ResourceIds?.length),
    ).toEqual([30]);
    expect(scaling.size).toBe(30);
    expect(scaling.get('service/kler-production/service-29')).toEqual({
      resourceId: 'service/kler-production/service-29',
      minCapacity: 1,
      maxCapacity: 4,
      policies: [],
      activities: [],
    });
    // Every policy of the namespace, keyed by resource: the reader picks its own.
    expect(policies.size).toBe(60);
    for (const name of serviceNames) {
      expect(
        policies.get(`service/kler-production/${name}`)?.map(p => p.policyName),
      ).toEqual([`prod-${name}`]);
    }
    expect(policies.get('service/kler-production/service-29')).toEqual([
      {
        policyName: 'prod-service-29',
        policyType: 'TargetTrackingScaling',
        targetValue: 60,
        metric: 'ECSServiceAverageCPUUtilization',
      },
    ]);
  });
});

describe('readAutoScalingGroups', () => {
  it('asks for 50 group names per call and follows NextToken', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(input => {
      const names = input.AutoScalingGroupNames as string[];
      const half = names.slice(
        input.NextToken ? 25 : 0,
        input.NextToken ? undefined : 25,
      );
      return {
        AutoScalingGroups: half.map(name => ({
          AutoScalingGroupName: name,
          MinSize: 1,
          MaxSize: 3,
          DesiredCapacity: 2,
          Instances: [],
        })),
        NextToken: !input.NextToken && names.length > 25 ? 'more' : undefined,
      };
    });
    const ctx = {
      clients: {
        autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
      } as Partial<AwsClients> as AwsClients,
      limit: createLimiter({
        concurrency: 4,
        callsPerSecond: 1000,
        burst: 1000,
      }) as Limiter,
      sendOptions: {},
    } as ReadContext;
    const names = Array.from({ length: 120 }, (_, i) => `asg-${i}`);

    const groups = await readAutoScalingGroups(ctx, [...names, 'asg-0']);

    const calls = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand);
    const firstPages = calls.filter(call => !call.args[0].input.NextToken);
    expect(
      firstPages.map(call => call.args[0].input.AutoScalingGroupNames?.length),
    ).toEqual([50, 50, 20]);
    expect(calls).toHaveLength(5);
    expect(groups.size).toBe(120);
    expect(groups.get('asg-119')).toEqual({
      autoScalingGroupName: 'asg-119',
      minSize: 1,
      maxSize: 3,
      desiredCapacity: 2,
      instances: [],
    });
  });
});

describe('autoScalingGroupNameFromArn', () => {
  it('takes the name from an Auto Scaling group ARN and passes a name through', () => {
    expect(
      autoScalingGroupNameFromArn(
        'arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:1f2e:autoScalingGroupName/kler-development-asg',
      ),
    ).toBe('kler-development-asg');
    expect(autoScalingGroupNameFromArn('kler-asg')).toBe('kler-asg');
  });
});

describe('AwsEnvironmentReader: capacity and scaling', () => {
  it('describes the non-Fargate capacity providers and their Auto Scaling groups', async () => {
    mockEmptyAccount({
      capacityProviders: ['FARGATE', 'FARGATE_SPOT', 'kler-production-ec2'],
    });
    ecs.on(DescribeCapacityProvidersCommand).resolves({
      capacityProviders: [
        {
          name: 'kler-production-ec2',
          status: 'ACTIVE',
          autoScalingGroupProvider: {
            autoScalingGroupArn:
              'arn:aws:autoscaling:eu-west-1:222222222222:autoScalingGroup:uuid:autoScalingGroupName/kler-production-asg',
            managedScaling: { status: 'ENABLED', targetCapacity: 100 },
          },
        },
      ],
    });
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'kler-production-asg',
          MinSize: 2,
          MaxSize: 6,
          DesiredCapacity: 6,
          Instances: [
            {
              InstanceId: 'i-1',
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'eu-west-1a',
              LaunchConfigurationName: undefined,
              ProtectedFromScaleIn: false,
            },
          ],
          AvailabilityZones: ['eu-west-1a'],
          DefaultCooldown: 300,
          HealthCheckType: 'EC2',
          CreatedTime: minutesAgo(1000),
        },
      ],
    });

    const snapshot = await createReader().read(env);

    expect(ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, {
      capacityProviders: ['kler-production-ec2'],
    });
    expect(autoScaling).toHaveReceivedCommandWith(
      DescribeAutoScalingGroupsCommand,
      { AutoScalingGroupNames: ['kler-production-asg'] },
    );
    expect(snapshot.cluster?.capacityProviders).toEqual([
      {
        name: 'kler-production-ec2',
        status: 'ACTIVE',
        autoScalingGroupArn: expect.stringContaining('kler-production-asg'),
        autoScalingGroupName: 'kler-production-asg',
        managedScalingStatus: 'ENABLED',
        targetCapacity: 100,
        autoScalingGroup: {
          autoScalingGroupName: 'kler-production-asg',
          minSize: 2,
          maxSize: 6,
          desiredCapacity: 6,
          instances: [
            {
              instanceId: 'i-1',
              instanceType: undefined,
              availabilityZone: 'eu-west-1a',
              lifecycleState: 'InService',
              healthStatus: 'Healthy',
            },
          ],
        },
      },
    ]);
  });

  it('does not call DescribeCapacityProviders for a Fargate-only cluster', async () => {
    await createReader().read(env);
    expect(ecs).not.toHaveReceivedCommand(DescribeCapacityProvidersCommand);
  });

  it('reads scalable targets 50 resource ids at a time, the namespace policies in pages of 10 and the last 24 h of activities', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `service-${i}`);
    mockServices(names);
    applicationAutoScaling
      .on(DescribeScalableTargetsCommand)
      .callsFake(input => {
        const ids = input.ResourceIds as string[];
        // The first batch answers in two pages.
        const isFirstBatch = ids[0].endsWith('/service-0');
        let pageIds = ids;
        if (isFirstBatch) {
          pageIds = input.NextToken ? ids.slice(25) : ids.slice(0, 25);
        }
        return {
          ScalableTargets: pageIds
            .filter(id => /\/service-(0|30|60)$/.test(id))
            .map(id => ({
              ServiceNamespace: 'ecs',
              ResourceId: id,
              ScalableDimension: 'ecs:service:DesiredCount',
              MinCapacity: 2,
              MaxCapacity: 10,
              RoleARN: 'arn:role',
              CreationTime: minutesAgo(1000),
            })),
          NextToken: isFirstBatch && !input.NextToken ? 'more' : undefined,
        };
      });
    const policy = (resourceId: string, kind: 'cpu' | 'memory') => ({
      PolicyName: kind,
      PolicyARN: `arn:policy:${resourceId}:${kind}`,
      ServiceNamespace: 'ecs' as const,
      ResourceId: resourceId,
      ScalableDimension: 'ecs:service:DesiredCount' as const,
      PolicyType: 'TargetTrackingScaling' as const,
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: kind === 'memory' ? 70 : 60,
        PredefinedMetricSpecification: {
          PredefinedMetricType:
            kind === 'memory'
              ? ('ECSServiceAverageMemoryUtilization' as const)
              : ('ECSServiceAverageCPUUtilization' as const),
        },
      },
      CreationTime: minutesAgo(1000),
    });
    // The namespace holds another cluster's policies too (same service names),
    // and this cluster's policies are spread over three pages of 10.
    const otherCluster = Array.from({ length: 20 }, (_, i) =>
      policy(`service/kler-development/service-${i}`, 'cpu'),
    );
    const policyPage = pages(
      [
        policy('service/kler-production/service-0', 'cpu'),
        ...otherCluster.slice(0, 12),
        policy('service/kler-production/service-30', 'cpu'),
        ...otherCluster.slice(12),
        policy('service/kler-production/service-0', 'memory'),
        policy('service/kler-production/service-60', 'memory'),
      ],
      10,
    );
    applicationAutoScaling
      .on(DescribeScalingPoliciesCommand)
      .callsFake(input => {
        const page = policyPage(input.NextToken);
        return { ScalingPolicies: page.items, NextToken: page.next };
      });
    applicationAutoScaling
      .on(DescribeScalingActivitiesCommand)
      .callsFake(input => ({
        ScalingActivities: [
          {
            ActivityId: input.NextToken ? 'old' : 'recent',
            ServiceNamespace: 'ecs',
            ResourceId: 'service/kler-production/service-0',
            ScalableDimension: 'ecs:service:DesiredCount',
            Description: 'Setting desired count to 10.',
            Cause: 'monitor alarm high',
            StatusCode: input.NextToken ? 'Successful' : 'Failed',
            StatusMessage: input.NextToken ? undefined : 'capacity unavailable',
            StartTime: input.NextToken ? minutesAgo(26 * 60) : minutesAgo(30),
          },
        ],
        NextToken: input.NextToken ? undefined : 'older',
      }));

    const snapshot = await createReader().read(env);

    const targetCalls = applicationAutoScaling.commandCalls(
      DescribeScalableTargetsCommand,
    );
    const targetInputs = targetCalls.map(c => c.args[0].input);
    expect(targetInputs.map(input => input.ResourceIds?.length).sort()).toEqual(
      [20, 50, 50, 50],
    );
    expect(targetInputs.every(input => input.ServiceNamespace === 'ecs')).toBe(
      true,
    );
    const followUp = targetInputs.find(input => input.NextToken === 'more');
    expect(followUp?.ResourceIds?.[0]).toBe(
      'service/kler-production/service-0',
    );
    const policyInputs = applicationAutoScaling
      .commandCalls(DescribeScalingPoliciesCommand)
      .map(c => c.args[0].input);
    expect(policyInputs).toEqual([
      {
        ServiceNamespace: 'ecs',
        MaxResults: 10,
        NextToken: undefined,
      },
      {
        ServiceNamespace: 'ecs',
        MaxResults: 10,
        NextToken: 'page-1',
      },
      {
        ServiceNamespace: 'ecs',
        MaxResults: 10,
        NextToken: 'page-2',
      },
    ]);
    expect(applicationAutoScaling).toHaveReceivedCommandTimes(
      DescribeScalingActivitiesCommand,
      2,
    );
    for (const call of applicationAutoScaling.commandCalls(
      DescribeScalingActivitiesCommand,
    )) {
      expect(call.args[0].input.ServiceNamespace).toBe('ecs');
      expect(call.args[0].input.ResourceId).toBeUndefined();
    }

    const service0 = snapshot.services.find(
      s => s.serviceName === 'service-0',
    )!;
    // kler-development/service-0's policy (first page) is not service-0's.
    expect(service0.scaling).toEqual({
      resourceId: 'service/kler-production/service-0',
      minCapacity: 2,
      maxCapacity: 10,
      policies: [
        {
          policyName: 'cpu',
          policyType: 'TargetTrackingScaling',
          targetValue: 60,
          metric: 'ECSServiceAverageCPUUtilization',
        },
        {
          policyName: 'memory',
          policyType: 'TargetTrackingScaling',
          targetValue: 70,
          metric: 'ECSServiceAverageMemoryUtilization',
        },
      ],
      activities: [
        expect.objectContaining({ activityId: 'recent', statusCode: 'Failed' }),
      ],
    });
    const policyNames = (name: string) =>
      snapshot.services
        .find(s => s.serviceName === name)
        ?.scaling?.policies.map(p => p.policyName);
    expect(policyNames('service-30')).toEqual(['cpu']);
    expect(policyNames('service-60')).toEqual(['memory']);
    expect(
      snapshot.services.find(s => s.serviceName === 'service-1')?.scaling,
    ).toBeUndefined();
  });
});

describe('AwsEnvironmentReader: scaling between configuration reads', () => {
  it('reads the scalable targets and policies again when the services changed, the activities every time', async () => {
    mockServices(['service-0']);
    mockCluster({ activeServicesCount: 1 });
    const reader = createReader();
    await reader.read(env);

    clearAwsCalls();
    await reader.read(env);
    expect(applicationAutoScaling).not.toHaveReceivedCommand(
      DescribeScalableTargetsCommand,
    );
    expect(applicationAutoScaling).not.toHaveReceivedCommand(
      DescribeScalingPoliciesCommand,
    );
    expect(applicationAutoScaling).toHaveReceivedCommandTimes(
      DescribeScalingActivitiesCommand,
      1,
    );

    clearAwsCalls();
    mockServices(['service-0', 'service-1']);
    mockCluster({ activeServicesCount: 2 });
    await reader.read(env);
    expect(applicationAutoScaling).toHaveReceivedCommandWith(
      DescribeScalableTargetsCommand,
      {
        ResourceIds: [
          'service/kler-production/service-0',
          'service/kler-production/service-1',
        ],
      },
    );
    expect(applicationAutoScaling).toHaveReceivedCommandTimes(
      DescribeScalingPoliciesCommand,
      1,
    );
  });

  it('describes the capacity providers again when the cluster names others, its Auto Scaling groups every time', async () => {
    mockCluster({ capacityProviders: ['ec2-a'] });
    ecs.on(DescribeCapacityProvidersCommand).callsFake(input => ({
      capacityProviders: (input.capacityProviders as string[]).map(name => ({
        name,
        autoScalingGroupProvider: {
          autoScalingGroupArn: `arn:asg:autoScalingGroupName/${name}-asg`,
        },
      })),
    }));
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [],
    });
    const reader = createReader();
    await reader.read(env);

    clearAwsCalls();
    await reader.read(env);
    expect(ecs).not.toHaveReceivedCommand(DescribeCapacityProvidersCommand);
    expect(autoScaling).toHaveReceivedCommandWith(
      DescribeAutoScalingGroupsCommand,
      { AutoScalingGroupNames: ['ec2-a-asg'] },
    );

    clearAwsCalls();
    mockCluster({ capacityProviders: ['ec2-a', 'ec2-b'] });
    const snapshot = await reader.read(env);
    expect(ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, {
      capacityProviders: ['ec2-a', 'ec2-b'],
    });
    expect(snapshot.cluster?.capacityProviders.map(p => p.name)).toEqual([
      'ec2-a',
      'ec2-b',
    ]);
  });
});
