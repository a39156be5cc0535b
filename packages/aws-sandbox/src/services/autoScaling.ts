import { AwsError } from '../errors';
import type { ServiceDefinition } from '../protocols/types';
import { hexId } from '../world/random';
import { autoScalingGroupState } from '../world/capacity';
import { CREATED_AT } from '../world/time';
import { paginate } from './paging';

const INVALID = 'ValidationError';

export const autoScaling: ServiceDefinition = {
  id: 'autoscaling',
  protocol: 'query',
  xmlNamespace: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  apiVersion: '2011-01-01',
  errors: {
    validation: INVALID,
    throttling: 'Throttling',
    throttlingStatus: 400,
    accessDenied: 'AccessDenied',
    accessDeniedStatus: 403,
  },
  operations: {
    DescribeAutoScalingGroups: ctx => {
      const names: string[] = ctx.input.AutoScalingGroupNames ?? [];
      if (names.length > 1600) {
        throw new AwsError(
          INVALID,
          'The number of AutoScalingGroupNames must not exceed 1600.',
        );
      }
      const groups = ctx.world.in(ctx.account, ctx.region).flatMap(world =>
        world.spec.capacityProviders
          .filter(
            cp =>
              names.length === 0 || names.includes(cp.autoScalingGroup.name),
          )
          .map(cp => ({
            world,
            state: autoScalingGroupState(world, cp.name, ctx.now)!,
          })),
      );
      const { page, nextToken } = paginate(
        groups,
        ctx.input.NextToken,
        ctx.input.MaxRecords,
        {
          defaultSize: 50,
          maxSize: 100,
          errorCode: INVALID,
          sizeName: 'MaxRecords',
        },
      );
      return {
        AutoScalingGroups: page.map(({ world, state }) => {
          const { asg } = state;
          const launchTemplate = {
            LaunchTemplateId: `lt-${hexId(17, world.seed, 'lt', asg.name)}`,
            LaunchTemplateName: `${asg.name}-template`,
            Version: '$Latest',
          };
          const arn = world.names.autoScalingGroupArn(asg.name);
          const tag = (Key: string, Value: string) => ({
            ResourceId: asg.name,
            ResourceType: 'auto-scaling-group',
            Key,
            Value,
            PropagateAtLaunch: true,
          });
          return {
            AutoScalingGroupName: asg.name,
            AutoScalingGroupARN: arn,
            LaunchTemplate: launchTemplate,
            MinSize: asg.min,
            MaxSize: asg.max,
            DesiredCapacity: state.desired,
            DefaultCooldown: 300,
            AvailabilityZones: world.spec.availabilityZones,
            LoadBalancerNames: [],
            TargetGroupARNs: [],
            HealthCheckType: 'EC2',
            HealthCheckGracePeriod: 300,
            Instances: state.instances.map(instance => ({
              InstanceId: instance.instanceId,
              InstanceType: asg.instanceType,
              AvailabilityZone: instance.availabilityZone,
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              LaunchTemplate: launchTemplate,
              ProtectedFromScaleIn: false,
            })),
            CreatedTime: new Date(CREATED_AT),
            SuspendedProcesses: [],
            VPCZoneIdentifier: world.spec.availabilityZones
              .map(
                zone =>
                  `subnet-${hexId(17, world.seed, world.spec.account, zone)}`,
              )
              .join(','),
            EnabledMetrics: [],
            Tags: [
              tag('AmazonECSManaged', ''),
              tag('kler:environment', world.spec.name),
            ],
            TerminationPolicies: ['Default'],
            NewInstancesProtectedFromScaleIn: false,
            ServiceLinkedRoleARN: `arn:aws:iam::${world.spec.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
            CapacityRebalance: false,
            TrafficSources: [],
          };
        }),
        NextToken: nextToken,
      };
    },
  },
};
