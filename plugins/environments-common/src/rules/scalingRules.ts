import {
  autoScalingGroupConsoleUrl,
  ecsClusterInfrastructureConsoleUrl,
  ecsServiceConsoleUrl,
} from '../consoleUrls';
import { CapacityProvider, EcsService, Problem } from '../types';
import {
  HOUR_MS,
  RuleContext,
  ageInMs,
  createProblem,
  formatDuration,
  plural,
  severityForTier,
} from './context';

function scalableTargetCommand(context: RuleContext, service: EcsService) {
  const { cluster, region } = context.environment;
  return (
    `\`aws application-autoscaling register-scalable-target --service-namespace ecs ` +
    `--scalable-dimension ecs:service:DesiredCount --resource-id service/${cluster}/${service.serviceName} ` +
    `--min-capacity <min> --max-capacity <max> --region ${region}\``
  );
}

/** The service wants as many tasks as its scalable target allows. */
export function detectPinnedAtMaxCapacity(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const scaling = service.scaling;
  // With min = max the service is not meant to scale, so reaching max is normal.
  if (
    !scaling ||
    scaling.maxCapacity <= scaling.minCapacity ||
    service.desiredCount < scaling.maxCapacity
  ) {
    return [];
  }
  const { serviceName } = service;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/at-max-capacity`,
      area: 'scaling',
      severity: severityForTier(context, 'high', 'medium'),
      title: `${serviceName} is at its maximum capacity`,
      explanation:
        `Desired count ${service.desiredCount} has reached the scalable target's ` +
        `maximum of ${scaling.maxCapacity} (minimum ${scaling.minCapacity}); ` +
        `auto scaling cannot add tasks if load grows further.${policySummary(
          service,
        )}`,
      proposedFix:
        `Raise the maximum capacity of ${scaling.resourceId} if the load is real ` +
        `(${scalableTargetCommand(
          context,
          service,
        )}), or find why each task handles ` +
        `less load than before (CPU/memory per task, a slow dependency).`,
      consoleUrl: ecsServiceConsoleUrl(
        context.environment.region,
        context.environment.cluster,
        serviceName,
      ),
      serviceName,
      resource: scaling.resourceId,
    }),
  ];
}

/** The service stays at its minimum while one of its alarms fires. */
export function detectPinnedAtMinWhileAlarming(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const scaling = service.scaling;
  const firing = service.alarms.filter(alarm => alarm.stateValue === 'ALARM');
  if (
    !scaling ||
    firing.length === 0 ||
    scaling.maxCapacity <= scaling.minCapacity ||
    service.desiredCount > scaling.minCapacity
  ) {
    return [];
  }
  const { serviceName } = service;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/at-min-capacity-while-alarming`,
      area: 'scaling',
      severity: severityForTier(context, 'medium', 'low'),
      title: `${serviceName} does not scale out while alarming`,
      explanation:
        `Desired count ${service.desiredCount} is at the scalable target's minimum ` +
        `of ${scaling.minCapacity} (maximum ${scaling.maxCapacity}) while ` +
        `${plural(firing.length, 'alarm')} of the service ${
          firing.length === 1 ? 'is' : 'are'
        } in ALARM: ${firing.map(a => a.alarmName).join(', ')}.` +
        `${policySummary(service)}`,
      proposedFix:
        `Check that a scaling policy of ${scaling.resourceId} tracks the metric that ` +
        `is alarming (\`aws application-autoscaling describe-scaling-policies ` +
        `--service-namespace ecs --resource-id ${scaling.resourceId} --region ` +
        `${context.environment.region}\`) and that scale-out is not suspended; ` +
        `add a target-tracking or step policy on that metric if none does.`,
      consoleUrl: ecsServiceConsoleUrl(
        context.environment.region,
        context.environment.cluster,
        serviceName,
      ),
      serviceName,
      resource: scaling.resourceId,
    }),
  ];
}

/** Scaling activities of the service that failed or could not be fulfilled. */
export function detectFailedScalingActivities(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const windowMs = context.thresholds.scalingActivityWindowHours * HOUR_MS;
  const failed = (service.scaling?.activities ?? [])
    .filter(a => a.statusCode === 'Failed' || a.statusCode === 'Unfulfilled')
    .filter(a => {
      const age = ageInMs(context, a.startTime);
      return age !== undefined && age <= windowMs;
    })
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
  if (failed.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const latest = failed[0];
  const anyFailed = failed.some(a => a.statusCode === 'Failed');
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/scaling-activity-failed`,
      area: 'scaling',
      severity: anyFailed
        ? severityForTier(context, 'high', 'medium')
        : severityForTier(context, 'medium', 'low'),
      title: `Scaling of ${serviceName} ${
        anyFailed ? 'failed' : 'was not fulfilled'
      }`,
      explanation:
        `${plural(failed.length, 'scaling activity', 'scaling activities')} ` +
        `${anyFailed ? 'failed or were' : 'were'} not fulfilled in the last ` +
        `${formatDuration(windowMs)}. Latest (${latest.statusCode}, ${
          latest.startTime
        }): ${latest.description}${
          latest.statusMessage ? ` - ${latest.statusMessage}` : ''
        }.`,
      proposedFix:
        `Read the status message of the failed activities (\`aws application-autoscaling ` +
        `describe-scaling-activities --service-namespace ecs --resource-id ` +
        `${service.scaling?.resourceId} --region ${context.environment.region}\`); ` +
        `usually the service cannot place tasks (cluster capacity, subnet IPs) or ` +
        `the auto scaling role lacks ecs:UpdateService.`,
      consoleUrl: ecsServiceConsoleUrl(
        context.environment.region,
        context.environment.cluster,
        serviceName,
        'events',
      ),
      serviceName,
      resource: service.scaling?.resourceId,
    }),
  ];
}

function pendingTaskCount(context: RuleContext): number {
  const fromServices = context.snapshot.services.reduce(
    (sum, service) => sum + service.pendingCount,
    0,
  );
  return Math.max(
    context.snapshot.cluster?.pendingTasksCount ?? 0,
    fromServices,
  );
}

function capacityProviderProblems(
  provider: CapacityProvider,
  context: RuleContext,
  pendingTasks: number,
): Problem[] {
  const problems: Problem[] = [];
  const { region, cluster } = context.environment;
  const group = provider.autoScalingGroup;
  const groupName =
    group?.autoScalingGroupName ?? provider.autoScalingGroupName;
  const groupUrl = groupName
    ? autoScalingGroupConsoleUrl(region, groupName)
    : ecsClusterInfrastructureConsoleUrl(region, cluster);

  if (group) {
    const inService = group.instances.filter(
      i => i.lifecycleState === 'InService',
    );
    // A group scaled to zero with nothing to place is idle, not broken.
    const needsInstances = group.desiredCapacity > 0 || pendingTasks > 0;
    if (inService.length === 0 && needsInstances) {
      const states = group.instances.map(
        i => `${i.instanceId} ${i.lifecycleState}/${i.healthStatus}`,
      );
      problems.push(
        createProblem(context, {
          idSuffix: `capacity-provider/${provider.name}/no-in-service-instances`,
          area: 'scaling',
          severity: severityForTier(context, 'critical', 'high'),
          title: `Capacity provider ${provider.name} has no running instance`,
          explanation:
            `Auto Scaling group ${group.autoScalingGroupName} has no InService ` +
            `instance (desired ${group.desiredCapacity}, min ${group.minSize}, max ` +
            `${group.maxSize}${
              states.length ? `; instances: ${states.join(', ')}` : ''
            }) ` +
            `and ${plural(pendingTasks, 'task')} ${
              pendingTasks === 1 ? 'is' : 'are'
            } pending.`,
          proposedFix:
            `Open the group's Activity tab for launch failures (AMI, instance type ` +
            `capacity, subnet, instance profile) and fix the launch template; ` +
            `\`aws autoscaling describe-scaling-activities --auto-scaling-group-name ` +
            `${group.autoScalingGroupName} --region ${region}\` lists them.`,
          consoleUrl: groupUrl,
          resource: provider.autoScalingGroupArn ?? group.autoScalingGroupName,
        }),
      );
    }
    if (group.desiredCapacity >= group.maxSize && pendingTasks > 0) {
      problems.push(
        createProblem(context, {
          idSuffix: `capacity-provider/${provider.name}/at-max-size-with-pending-tasks`,
          area: 'scaling',
          severity: severityForTier(context, 'high', 'medium'),
          title: `Capacity provider ${provider.name} is full`,
          explanation:
            `Auto Scaling group ${group.autoScalingGroupName} is at its maximum size ` +
            `(${group.desiredCapacity} of max ${group.maxSize}) while ` +
            `${plural(pendingTasks, 'task')} wait to be placed.`,
          proposedFix:
            `Raise the group's maximum size (\`aws autoscaling update-auto-scaling-group ` +
            `--auto-scaling-group-name ${group.autoScalingGroupName} --max-size <n> ` +
            `--region ${region}\`) or use a larger instance type in its launch template.`,
          consoleUrl: groupUrl,
          resource: provider.autoScalingGroupArn ?? group.autoScalingGroupName,
        }),
      );
    }
  }

  if (provider.managedScalingStatus === 'DISABLED') {
    problems.push(
      createProblem(context, {
        idSuffix: `capacity-provider/${provider.name}/managed-scaling-disabled`,
        area: 'scaling',
        severity: severityForTier(context, 'medium', 'low'),
        title: `Managed scaling is off for capacity provider ${provider.name}`,
        explanation:
          `Capacity provider ${provider.name} has managed scaling DISABLED, so ECS ` +
          `does not grow or shrink ${
            groupName ?? 'its Auto Scaling group'
          } with the ` +
          `tasks it has to place.`,
        proposedFix:
          `Turn managed scaling on: \`aws ecs update-capacity-provider --name ` +
          `${provider.name} --auto-scaling-group-provider ` +
          `"managedScaling={status=ENABLED,targetCapacity=100}" --region ${region}\`.`,
        consoleUrl: ecsClusterInfrastructureConsoleUrl(region, cluster),
        resource: provider.name,
      }),
    );
  }
  return problems;
}

/** Capacity providers whose Auto Scaling group cannot run the cluster's tasks. */
export function detectCapacityProviderProblems(
  context: RuleContext,
): Problem[] {
  const providers = context.snapshot.cluster?.capacityProviders ?? [];
  const pendingTasks = pendingTaskCount(context);
  return providers.flatMap(provider =>
    capacityProviderProblems(provider, context, pendingTasks),
  );
}

function policySummary(service: EcsService): string {
  const policies = service.scaling?.policies ?? [];
  if (policies.length === 0) {
    return ' The target has no scaling policy.';
  }
  return ` Policies: ${policies
    .map(
      p =>
        `${p.policyName} (${p.policyType}${p.metric ? `, ${p.metric}` : ''}${
          p.targetValue !== undefined ? ` target ${p.targetValue}` : ''
        })`,
    )
    .join(', ')}.`;
}

/** The scaling rules that look at one service. */
export const serviceScalingRules = [
  detectPinnedAtMaxCapacity,
  detectPinnedAtMinWhileAlarming,
  detectFailedScalingActivities,
];
