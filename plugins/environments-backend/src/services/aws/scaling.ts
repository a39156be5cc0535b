import {
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  ScalableTarget,
  ScalingPolicy as AwsScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AutoScalingGroup,
  ScalingActivity,
  ScalingPolicy,
  ServiceScaling,
} from '@kler/plugin-environments-common';
import { awsTargetKey } from './clients';
import { chunk, collectPages } from './concurrency';
import { ReadContext } from './types';

/** DescribeScalableTargets accepts at most 50 resource ids per call. */
export const SCALABLE_TARGETS_BATCH_SIZE = 50;
/** DescribeAutoScalingGroups accepts at most 50 group names per call. */
export const AUTO_SCALING_GROUPS_BATCH_SIZE = 50;
/** DescribeScalingPolicies returns at most 10 policies per page. */
export const SCALING_POLICIES_PAGE_SIZE = 10;
const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';
const SCALING_ACTIVITIES_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The Application Auto Scaling resource id of an ECS service. */
export function ecsScalingResourceId(cluster: string, serviceName: string) {
  return `service/${cluster}/${serviceName}`;
}

/**
 * Reads the scalable targets of the given services, keyed by resource id, with
 * no policies or activities yet: those are namespace-wide listings that start
 * before the service list is known (see readScalingPolicies and
 * readScalingActivities).
 */
export async function readScalableTargets(
  ctx: ReadContext,
  serviceNames: string[],
): Promise<Map<string, ServiceScaling>> {
  const { clients, env, limit, sendOptions } = ctx;
  const resourceIds = serviceNames.map(name =>
    ecsScalingResourceId(env.cluster, name),
  );

  const targetBatches = await Promise.all(
    chunk(resourceIds, SCALABLE_TARGETS_BATCH_SIZE).map(batch =>
      collectPages<ScalableTarget>(async NextToken => {
        const page = await limit('DescribeScalableTargets', () =>
          clients.applicationAutoScaling.send(
            new DescribeScalableTargetsCommand({
              ServiceNamespace: 'ecs',
              ResourceIds: batch,
              NextToken,
            }),
            sendOptions,
          ),
        );
        return { items: page.ScalableTargets, nextToken: page.NextToken };
      }),
    ),
  );
  const targets = targetBatches
    .flat()
    .filter(target => target.ScalableDimension === ECS_DESIRED_COUNT);

  const scalingByResource = new Map<string, ServiceScaling>();
  for (const target of targets) {
    const resourceId = target.ResourceId ?? '';
    scalingByResource.set(resourceId, {
      resourceId,
      minCapacity: target.MinCapacity ?? 0,
      maxCapacity: target.MaxCapacity ?? 0,
      policies: [],
      activities: [],
    });
  }
  return scalingByResource;
}

/**
 * Lists the ECS namespace's scaling policies page by page, keyed by resource id.
 * DescribeScalingPolicies takes one ResourceId at most and returns 10 policies a
 * page, so one namespace-wide listing costs far fewer calls than one listing
 * per target; it needs no service list, so it starts with the read. The
 * desired-count dimension is picked here rather than asked for: AWS documents
 * ScalableDimension as needing a ResourceId.
 */
export async function readScalingPolicies({
  env,
  clients,
  limit,
  sendOptions,
  listingThread,
}: ReadContext): Promise<Map<string, ScalingPolicy[]>> {
  const policies = listingThread
    ? await listingThread.listScalingPolicies(
        clients.applicationAutoScaling,
        awsTargetKey(env),
        sendOptions.abortSignal,
      )
    : await collectPages<AwsScalingPolicy>(async NextToken => {
        const page = await limit('DescribeScalingPolicies', () =>
          clients.applicationAutoScaling.send(
            new DescribeScalingPoliciesCommand({
              ServiceNamespace: 'ecs',
              MaxResults: SCALING_POLICIES_PAGE_SIZE,
              NextToken,
            }),
            sendOptions,
          ),
        );
        return { items: page.ScalingPolicies, nextToken: page.NextToken };
      });
  const byResource = new Map<string, ScalingPolicy[]>();
  for (const policy of policies) {
    if (policy.ScalableDimension !== ECS_DESIRED_COUNT) {
      continue;
    }
    const resourceId = policy.ResourceId ?? '';
    const list = byResource.get(resourceId) ?? [];
    list.push(toScalingPolicy(policy));
    byResource.set(resourceId, list);
  }
  return byResource;
}

function toScalingPolicy(policy: AwsScalingPolicy): ScalingPolicy {
  const tracking = policy.TargetTrackingScalingPolicyConfiguration;
  return {
    policyName: policy.PolicyName ?? '',
    policyType: policy.PolicyType ?? '',
    targetValue: tracking?.TargetValue,
    metric:
      tracking?.PredefinedMetricSpecification?.PredefinedMetricType ??
      tracking?.CustomizedMetricSpecification?.MetricName,
  };
}

/**
 * Reads the ECS namespace's scaling activities of the last 24 hours, keyed by
 * resource id. One paginated listing for the whole namespace costs fewer calls
 * than one per service.
 */
export async function readScalingActivities(
  ctx: ReadContext,
): Promise<Map<string, ScalingActivity[]>> {
  const { clients, limit, sendOptions, now } = ctx;
  const since = now.getTime() - SCALING_ACTIVITIES_WINDOW_MS;
  const activities = await collectPages(async NextToken => {
    const page = await limit('DescribeScalingActivities', () =>
      clients.applicationAutoScaling.send(
        new DescribeScalingActivitiesCommand({
          ServiceNamespace: 'ecs',
          NextToken,
        }),
        sendOptions,
      ),
    );
    return { items: page.ScalingActivities, nextToken: page.NextToken };
  });

  const byResource = new Map<string, ScalingActivity[]>();
  for (const activity of activities) {
    if (!activity.StartTime || activity.StartTime.getTime() < since) {
      continue;
    }
    const resourceId = activity.ResourceId ?? '';
    const list = byResource.get(resourceId) ?? [];
    list.push({
      activityId: activity.ActivityId ?? '',
      description: activity.Description ?? '',
      cause: activity.Cause,
      statusCode: activity.StatusCode ?? '',
      statusMessage: activity.StatusMessage,
      startTime: activity.StartTime.toISOString(),
      endTime: activity.EndTime?.toISOString(),
    });
    byResource.set(resourceId, list);
  }
  for (const list of byResource.values()) {
    list.sort((a, b) => b.startTime.localeCompare(a.startTime));
  }
  return byResource;
}

/** Reads the EC2 Auto Scaling groups behind the cluster's capacity providers, keyed by name. */
export async function readAutoScalingGroups(
  { clients, limit, sendOptions }: ReadContext,
  groupNames: string[],
): Promise<Map<string, AutoScalingGroup>> {
  const groups = await Promise.all(
    chunk([...new Set(groupNames)], AUTO_SCALING_GROUPS_BATCH_SIZE).map(batch =>
      collectPages(async NextToken => {
        const page = await limit('DescribeAutoScalingGroups', () =>
          clients.autoScaling.send(
            new DescribeAutoScalingGroupsCommand({
              AutoScalingGroupNames: batch,
              NextToken,
            }),
            sendOptions,
          ),
        );
        return { items: page.AutoScalingGroups, nextToken: page.NextToken };
      }),
    ),
  );
  const byName = new Map<string, AutoScalingGroup>();
  for (const group of groups.flat()) {
    const name = group.AutoScalingGroupName ?? '';
    byName.set(name, {
      autoScalingGroupName: name,
      minSize: group.MinSize ?? 0,
      maxSize: group.MaxSize ?? 0,
      desiredCapacity: group.DesiredCapacity ?? 0,
      instances: (group.Instances ?? []).map(instance => ({
        instanceId: instance.InstanceId ?? '',
        instanceType: instance.InstanceType,
        availabilityZone: instance.AvailabilityZone,
        lifecycleState: instance.LifecycleState ?? '',
        healthStatus: instance.HealthStatus ?? '',
      })),
    });
  }
  return byName;
}
