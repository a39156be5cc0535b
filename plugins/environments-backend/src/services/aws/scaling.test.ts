import 'aws-sdk-client-mock-jest';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { createLimiter } from './concurrency';
import { autoScalingGroupNameFromArn } from './ecs';
import {
  readAutoScalingGroups,
  readScalableTargets,
  readScalingPolicies,
  SCALING_POLICIES_PAGE_SIZE,
} from './scaling';
import { AwsClients, AwsEnvironment, ReadContext } from './types';

const autoScaling = mockClient(AutoScalingClient);
const applicationAutoScaling = mockClient(ApplicationAutoScalingClient);

beforeEach(() => {
  autoScaling.reset();
  applicationAutoScaling.reset();
});

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
      }),
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
    for (const input of policyInputs) {
      expect(input).toEqual({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
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
      }),
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
