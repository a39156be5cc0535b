import { requireMember } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import type { ServiceSpec } from '../scenario/schema';
import { uuid } from '../world/random';
import type { EnvironmentWorld } from '../world/simulation';
import {
  BUCKET,
  bucketOf,
  bucketStart,
  CREATED_AT,
  DAY,
  SECOND,
} from '../world/time';
import { paginate, requireArray } from './paging';

const INVALID = 'ValidationException';
const DIMENSION = 'ecs:service:DesiredCount';

/** Services with a scalable target: those that scale or have policies. */
function scalable(world: EnvironmentWorld): ServiceSpec[] {
  return world.spec.services.filter(
    s => s.min < s.max || s.scalingPolicies.length > 0,
  );
}

function targets(ctx: OperationContext) {
  const namespace = ctx.input.ServiceNamespace;
  requireMember(namespace, 'serviceNamespace', INVALID);
  if (namespace !== 'ecs') return [];
  return ctx.world
    .in(ctx.account, ctx.region)
    .flatMap(world => scalable(world).map(service => ({ world, service })));
}

interface DesiredCountChange {
  bucket: number;
  desired: number;
  previous: number;
}

/**
 * Buckets in (since, until] where the service's desired count changed: a
 * day of buckets per service, so computed once per service and window.
 */
function desiredCountChanges(
  world: EnvironmentWorld,
  service: ServiceSpec,
  since: number,
  until: number,
): DesiredCountChange[] {
  // a fixed count never changes
  if (service.min === service.max) return [];
  return world.desiredCountChanges.get(
    `${service.name}|${since}|${until}`,
    () => {
      const changes: DesiredCountChange[] = [];
      let previous = world.traffic.desired(service, since);
      for (let bucket = since + 1; bucket <= until; bucket++) {
        const desired = world.traffic.desired(service, bucket);
        if (desired !== previous) changes.push({ bucket, desired, previous });
        previous = desired;
      }
      return changes;
    },
  );
}

function lengthCheck(list: string[] | undefined, name: string, max: number) {
  return requireArray(
    list,
    name,
    max,
    INVALID,
    `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );
}

function alarmNames(world: EnvironmentWorld, service: string, policy: string) {
  const base = `TargetTracking-${world.names.resourceId(service)}`;
  const id = (kind: string) =>
    uuid(world.seed, 'tt-alarm', world.spec.cluster, service, policy, kind);
  return [`${base}-AlarmHigh-${id('high')}`, `${base}-AlarmLow-${id('low')}`];
}

export const applicationAutoScaling: ServiceDefinition = {
  id: 'application-autoscaling',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'AnyScaleFrontendService',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    DescribeScalableTargets: ctx => {
      const ids = new Set(
        lengthCheck(ctx.input.ResourceIds, 'resourceIds', 50),
      );
      const selected = targets(ctx).filter(
        ({ world, service }) =>
          (ids.size === 0 || ids.has(world.names.resourceId(service.name))) &&
          (!ctx.input.ScalableDimension ||
            ctx.input.ScalableDimension === DIMENSION),
      );
      const { page, nextToken } = paginate(
        selected,
        ctx.input.NextToken,
        ctx.input.MaxResults,
        {
          defaultSize: 50,
          maxSize: 50,
          errorCode: INVALID,
        },
      );
      return {
        ScalableTargets: page.map(({ world, service }) => ({
          ServiceNamespace: 'ecs',
          ResourceId: world.names.resourceId(service.name),
          ScalableDimension: DIMENSION,
          MinCapacity: service.min,
          MaxCapacity: service.max,
          RoleARN: `arn:aws:iam::${world.spec.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
          CreationTime: new Date(CREATED_AT),
          SuspendedState: {
            DynamicScalingInSuspended: false,
            DynamicScalingOutSuspended: false,
            ScheduledScalingSuspended: false,
          },
          ScalableTargetARN: world.names.scalableTargetArn(service.name),
        })),
        NextToken: nextToken,
      };
    },

    DescribeScalingPolicies: ctx => {
      const names = lengthCheck(ctx.input.PolicyNames, 'policyNames', 50);
      const policies = targets(ctx).flatMap(({ world, service }) =>
        service.scalingPolicies
          .filter(
            policy =>
              (!ctx.input.ResourceId ||
                ctx.input.ResourceId ===
                  world.names.resourceId(service.name)) &&
              (names.length === 0 || names.includes(policy.name)),
          )
          .map(policy => ({ world, service, policy })),
      );
      const { page, nextToken } = paginate(
        policies,
        ctx.input.NextToken,
        ctx.input.MaxResults,
        {
          defaultSize: 10,
          maxSize: 10,
          errorCode: INVALID,
        },
      );
      return {
        ScalingPolicies: page.map(({ world, service, policy }) => ({
          PolicyARN: world.names.scalingPolicyArn(service.name, policy.name),
          PolicyName: policy.name,
          ServiceNamespace: 'ecs',
          ResourceId: world.names.resourceId(service.name),
          ScalableDimension: DIMENSION,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: policy.targetValue,
            PredefinedMetricSpecification: {
              PredefinedMetricType: policy.metric,
            },
            ScaleOutCooldown: 60,
            ScaleInCooldown: 300,
            DisableScaleIn: false,
          },
          Alarms: alarmNames(world, service.name, policy.name).map(name => ({
            AlarmName: name,
            AlarmARN: world.names.alarmArn(name),
          })),
          CreationTime: new Date(CREATED_AT),
        })),
        NextToken: nextToken,
      };
    },

    DescribeScalingActivities: ctx => {
      const since = bucketOf(ctx.now - DAY);
      const until = bucketOf(ctx.now);
      const activities = targets(ctx)
        .filter(
          ({ world, service }) =>
            !ctx.input.ResourceId ||
            ctx.input.ResourceId === world.names.resourceId(service.name),
        )
        .flatMap(({ world, service }) => {
          const changes = desiredCountChanges(world, service, since, until);
          if (changes.length === 0) return [];
          const out = [];
          const policy = service.scalingPolicies[0]?.name ?? 'default';
          const [high, low] = alarmNames(world, service.name, policy);
          for (const { bucket, desired, previous } of changes) {
            const start = bucketStart(bucket) + 5 * SECOND;
            if (start > ctx.now) break;
            const resourceId = world.names.resourceId(service.name);
            out.push({
              ActivityId: uuid(world.seed, 'activity', resourceId, bucket),
              ServiceNamespace: 'ecs',
              ResourceId: resourceId,
              ScalableDimension: DIMENSION,
              Description: `Setting desired count to ${desired}.`,
              Cause: `monitor alarm ${
                desired > previous ? high : low
              } in state ALARM triggered policy ${policy}`,
              StartTime: new Date(start),
              EndTime: new Date(Math.min(ctx.now, start + BUCKET / 5)),
              StatusCode:
                start + BUCKET / 5 <= ctx.now ? 'Successful' : 'InProgress',
              StatusMessage: `Successfully set desired count to ${desired}. Change successfully fulfilled by ecs.`,
            });
          }
          return out;
        })
        .sort((a, b) => b.StartTime.getTime() - a.StartTime.getTime());
      const { page, nextToken } = paginate(
        activities,
        ctx.input.NextToken,
        ctx.input.MaxResults,
        {
          defaultSize: 50,
          maxSize: 50,
          errorCode: INVALID,
        },
      );
      return { ScalingActivities: page, NextToken: nextToken };
    },
  },
};
