import {
  cloudWatchAlarmConsoleUrl,
  ecsServiceConsoleUrl,
  targetGroupConsoleUrl,
} from '../consoleUrls';
import { CloudWatchAlarm, EcsService, EcsTask, Problem } from '../types';
import {
  MINUTE_MS,
  RuleContext,
  ageInMs,
  createProblem,
  formatDuration,
  plural,
  severityForTier,
} from './context';

function serviceUrl(
  context: RuleContext,
  service: EcsService,
  tab?: 'health' | 'tasks' | 'deployments' | 'events',
) {
  const { region, cluster } = context.environment;
  return ecsServiceConsoleUrl(region, cluster, service.serviceName, tab);
}

function awsCli(context: RuleContext, command: string): string {
  return `\`aws ${command} --region ${context.environment.region}\``;
}

/** Fewer tasks running than the service wants. */
export function detectRunningBelowDesired(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const { desiredCount, runningCount, pendingCount, serviceName } = service;
  if (runningCount >= desiredCount) {
    return [];
  }
  const nothingRunning = runningCount === 0;
  const latestEvent = service.events[0]?.message;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/running-below-desired`,
      area: 'health',
      severity: nothingRunning
        ? severityForTier(context, 'critical', 'high')
        : 'high',
      title: nothingRunning
        ? `${serviceName} has no running task`
        : `${serviceName} runs fewer tasks than desired`,
      explanation:
        `${runningCount} of ${desiredCount} desired tasks are running` +
        ` (${pendingCount} pending).${
          latestEvent ? ` Latest service event: "${latestEvent}"` : ''
        }`,
      proposedFix:
        `Open the service's stopped tasks to see why tasks do not stay up ` +
        `(${awsCli(
          context,
          `ecs list-tasks --cluster ${context.environment.cluster} --service-name ${serviceName} --desired-status STOPPED`,
        )}, then \`aws ecs describe-tasks\` for the stoppedReason). ` +
        `Fix the cause (image, configuration, capacity), then force a new deployment: ${awsCli(
          context,
          `ecs update-service --cluster ${context.environment.cluster} --service ${serviceName} --force-new-deployment`,
        )}.`,
      consoleUrl: serviceUrl(context, service, 'health'),
      serviceName,
      resource: service.serviceArn,
    }),
  ];
}

/** Deployments whose rollout failed or takes too long. */
export function detectDeploymentProblems(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const problems: Problem[] = [];
  const { serviceName } = service;
  const { cluster } = context.environment;
  for (const deployment of service.deployments) {
    if (deployment.status === 'INACTIVE') {
      continue;
    }
    const taskDefinition = shortTaskDefinition(deployment.taskDefinition);
    if (deployment.rolloutState === 'FAILED') {
      problems.push(
        createProblem(context, {
          idSuffix: `service/${serviceName}/deployment/${deployment.id}/rollout-failed`,
          area: 'health',
          severity: severityForTier(context, 'high', 'medium'),
          title: `Deployment of ${serviceName} failed`,
          explanation:
            `Deployment ${deployment.id} (${deployment.status}) of task definition ` +
            `${taskDefinition} failed: ${
              deployment.rolloutStateReason ?? 'no reason given'
            }. ${deployment.runningCount} of ${
              deployment.desiredCount
            } tasks running, ${plural(deployment.failedTasks, 'failed task')}.`,
          proposedFix:
            `Check the stopped tasks of ${taskDefinition} for their stoppedReason, fix the ` +
            `task definition or image, and deploy again; to go back to the last good ` +
            `revision run ${awsCli(
              context,
              `ecs update-service --cluster ${cluster} --service ${serviceName} --task-definition <previous revision>`,
            )}.`,
          consoleUrl: serviceUrl(context, service, 'deployments'),
          serviceName,
          resource: deployment.taskDefinition,
        }),
      );
      continue;
    }
    const age = ageInMs(context, deployment.createdAt);
    const timeoutMs = context.thresholds.deploymentTimeoutMinutes * MINUTE_MS;
    if (
      deployment.rolloutState === 'IN_PROGRESS' &&
      age !== undefined &&
      age > timeoutMs
    ) {
      problems.push(
        createProblem(context, {
          idSuffix: `service/${serviceName}/deployment/${deployment.id}/rollout-stuck`,
          area: 'health',
          severity: severityForTier(context, 'high', 'medium'),
          title: `Deployment of ${serviceName} is taking too long`,
          explanation:
            `Deployment ${deployment.id} of ${taskDefinition} has been in progress for ` +
            `${formatDuration(age)} (limit ${
              context.thresholds.deploymentTimeoutMinutes
            } min): ${deployment.runningCount} of ${
              deployment.desiredCount
            } tasks running, ${deployment.pendingCount} pending, ${plural(
              deployment.failedTasks,
              'failed task',
            )}.`,
          proposedFix:
            `Read the service events for placement or health check failures. If the new ` +
            `tasks cannot become healthy, roll back with ${awsCli(
              context,
              `ecs update-service --cluster ${cluster} --service ${serviceName} --task-definition <previous revision>`,
            )} and enable the deployment circuit breaker so that ECS rolls back by itself.`,
          consoleUrl: serviceUrl(context, service, 'events'),
          serviceName,
          resource: deployment.taskDefinition,
        }),
      );
    }
  }
  return problems;
}

/** Tasks of the primary deployment that failed to start or to stay up. */
export function detectPrimaryDeploymentFailedTasks(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const primary = service.deployments.find(d => d.status === 'PRIMARY');
  if (!primary || primary.failedTasks <= 0) {
    return [];
  }
  const { serviceName } = service;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/failed-tasks`,
      area: 'health',
      severity: severityForTier(context, 'medium', 'low'),
      title: `Tasks of ${serviceName} failed in the current deployment`,
      explanation:
        `The primary deployment ${primary.id} (${shortTaskDefinition(
          primary.taskDefinition,
        )}) counts ${plural(primary.failedTasks, 'failed task')}; ` +
        `${primary.runningCount} of ${primary.desiredCount} tasks running.`,
      proposedFix:
        `Look at the stopped tasks of ${serviceName} for their stoppedReason and container ` +
        `exit codes (${awsCli(
          context,
          `ecs list-tasks --cluster ${context.environment.cluster} --service-name ${serviceName} --desired-status STOPPED`,
        )}) and fix the cause before the circuit breaker rolls back the deployment.`,
      consoleUrl: serviceUrl(context, service, 'tasks'),
      serviceName,
      resource: service.serviceArn,
    }),
  ];
}

const UNABLE_TO_PLACE_EVENT = /was unable to place a task/;

/** Recent service events saying ECS could not place tasks (no capacity, no IPs, ...). */
export function detectTaskPlacementFailures(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const windowMs = context.thresholds.stoppedTaskWindowMinutes * MINUTE_MS;
  const events = service.events.filter(event => {
    const age = ageInMs(context, event.createdAt);
    return (
      age !== undefined &&
      age <= windowMs &&
      UNABLE_TO_PLACE_EVENT.test(event.message)
    );
  });
  if (events.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const [latest] = events;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/task-placement-failed`,
      area: 'health',
      severity: severityForTier(context, 'high', 'medium'),
      title: `ECS cannot place tasks of ${serviceName}`,
      explanation: `${plural(
        events.length,
        'service event',
      )} in the last ${formatDuration(
        windowMs,
      )} report that tasks could not be placed. Latest (${
        latest.createdAt
      }): "${latest.message}"`,
      proposedFix:
        `Give the cluster room for the task: check the capacity provider's Auto Scaling ` +
        `group (instances InService, max size), the task's CPU/memory against the ` +
        `instance type, placement constraints, and free IP addresses in the service's ` +
        `subnets (awsvpc uses one per task).`,
      consoleUrl: serviceUrl(context, service, 'events'),
      serviceName,
      resource: service.serviceArn,
    }),
  ];
}

type StoppedTaskCause =
  | 'out-of-memory'
  | 'failed-health-checks'
  | 'exited-with-error';

const OUT_OF_MEMORY_EXIT_CODE = 137;
// 143 is SIGTERM: the container was asked to stop and did.
const CLEAN_EXIT_CODES = [0, 143];
const REQUESTED_STOP_CODES = [
  'UserInitiated',
  'SpotInterruption',
  'TerminationNotice',
];

/** The cause of a stopped task, or undefined for a normal stop (scale-in, deployment). */
export function classifyStoppedTask(
  task: EcsTask,
): StoppedTaskCause | undefined {
  const reasons = task.containers.map(c => c.reason ?? '');
  if (reasons.some(reason => reason.includes('OutOfMemory'))) {
    return 'out-of-memory';
  }
  const stoppedReason = task.stoppedReason ?? '';
  if (
    /health ?checks?/i.test(stoppedReason) ||
    task.healthStatus === 'UNHEALTHY' ||
    task.containers.some(c => c.healthStatus === 'UNHEALTHY')
  ) {
    return 'failed-health-checks';
  }
  // Stops that ECS, EC2 or a person asked for end with SIGTERM/SIGKILL exit
  // codes that say nothing about the application.
  if (
    REQUESTED_STOP_CODES.includes(task.stopCode ?? '') ||
    /^Scaling activity initiated by/.test(stoppedReason)
  ) {
    return undefined;
  }
  if (task.containers.some(c => c.exitCode === OUT_OF_MEMORY_EXIT_CODE)) {
    return 'out-of-memory';
  }
  if (
    task.containers.some(
      c => c.exitCode !== undefined && !CLEAN_EXIT_CODES.includes(c.exitCode),
    ) ||
    task.stopCode === 'TaskFailedToStart'
  ) {
    return 'exited-with-error';
  }
  return undefined;
}

function describeTaskStop(task: EcsTask): string {
  const containers = task.containers
    .filter(c => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason)
    .map(
      c =>
        `${c.name}${
          c.exitCode !== undefined ? ` exit code ${c.exitCode}` : ''
        }${c.reason ? ` (${c.reason})` : ''}`,
    );
  return [task.stoppedReason, ...containers].filter(Boolean).join('; ');
}

const STOPPED_TASK_RULES: Record<
  StoppedTaskCause,
  { title: string; fix: (serviceName: string) => string }
> = {
  'out-of-memory': {
    title: 'were killed for running out of memory',
    fix: serviceName =>
      `Raise the container's \`memory\` (hard limit) or the task-level memory in ` +
      `the task definition of ${serviceName}, or find the leak in the memory graph ` +
      `of Container Insights; then register the revision and update the service.`,
  },
  'failed-health-checks': {
    title: 'were stopped by failed health checks',
    fix: serviceName =>
      `Check that the target group's health check path and port answer 200 from ` +
      `inside ${serviceName}'s container, and that \`healthCheckGracePeriodSeconds\` ` +
      `on the service covers its start-up time; the container logs show why it ` +
      `does not answer.`,
  },
  'exited-with-error': {
    title: 'exited with an error',
    fix: serviceName =>
      `Read the container logs of the stopped tasks of ${serviceName} (CloudWatch ` +
      `Logs, the log group of the task definition) for the error at exit, fix it, ` +
      `and deploy a new revision.`,
  },
};

/** Tasks stopped within the window, aggregated per cause. */
export function detectStoppedTasks(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const windowMs = context.thresholds.stoppedTaskWindowMinutes * MINUTE_MS;
  const byCause = new Map<StoppedTaskCause, EcsTask[]>();
  for (const task of service.tasks) {
    if (task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      continue;
    }
    const age = ageInMs(context, task.stoppedAt);
    if (age === undefined || age > windowMs) {
      continue;
    }
    const cause = classifyStoppedTask(task);
    if (cause) {
      byCause.set(cause, [...(byCause.get(cause) ?? []), task]);
    }
  }

  const { serviceName } = service;
  return [...byCause.entries()].map(([cause, tasks]) => {
    const latest = [...tasks].sort(
      (a, b) => Date.parse(b.stoppedAt ?? '') - Date.parse(a.stoppedAt ?? ''),
    )[0];
    const rule = STOPPED_TASK_RULES[cause];
    return createProblem(context, {
      idSuffix: `service/${serviceName}/tasks-${cause}`,
      area: 'health',
      severity: severityForTier(context, 'high', 'medium'),
      title: `Tasks of ${serviceName} ${rule.title}`,
      explanation:
        `${plural(tasks.length, 'task')} stopped in the last ${formatDuration(
          windowMs,
        )}. Latest (${taskId(latest.taskArn)} at ${latest.stoppedAt}): ` +
        `${describeTaskStop(latest) || 'no reason given'}.`,
      proposedFix: rule.fix(serviceName),
      consoleUrl: serviceUrl(context, service, 'tasks'),
      serviceName,
      resource: latest.taskArn,
    });
  });
}

/** Load-balancer targets of the service that fail their health checks. */
export function detectUnhealthyTargets(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const unhealthy = service.targetHealth.filter(t => t.state === 'unhealthy');
  if (unhealthy.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const first = unhealthy[0];
  const targetGroups = [...new Set(unhealthy.map(t => t.targetGroupArn))];
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/unhealthy-targets`,
      area: 'health',
      severity: severityForTier(context, 'high', 'medium'),
      title: `${serviceName} has unhealthy load balancer targets`,
      explanation:
        `${unhealthy.length} of ${plural(
          service.targetHealth.length,
          'target',
        )} in ${plural(targetGroups.length, 'target group')} are unhealthy. ` +
        `${first.targetId}${first.port ? `:${first.port}` : ''}: ${
          first.reason ?? 'no reason'
        }${first.description ? ` (${first.description})` : ''}.`,
      proposedFix:
        `Compare the target group's health check (path, port, matcher) with what ` +
        `${serviceName} serves, and check that the service's security group lets the ` +
        `load balancer reach the container port; ${awsCli(
          context,
          `elbv2 describe-target-health --target-group-arn ${first.targetGroupArn}`,
        )} shows the current state.`,
      consoleUrl: targetGroupConsoleUrl(
        context.environment.region,
        first.targetGroupArn,
      ),
      serviceName,
      resource: first.targetGroupArn,
    }),
  ];
}

function alarmProblem(
  alarm: CloudWatchAlarm,
  context: RuleContext,
  scope: { idPrefix: string; subject: string; serviceName?: string },
): Problem {
  return createProblem(context, {
    idSuffix: `${scope.idPrefix}/alarm/${alarm.alarmName}`,
    area: 'health',
    severity: severityForTier(context, 'high', 'medium'),
    title: `Alarm ${alarm.alarmName} is firing on ${scope.subject}`,
    explanation:
      `CloudWatch alarm ${alarm.alarmName}${
        alarm.metricName
          ? ` (${alarm.namespace ? `${alarm.namespace} ` : ''}${
              alarm.metricName
            })`
          : ''
      }` +
      ` is in ALARM${
        alarm.stateUpdatedTimestamp
          ? ` since ${alarm.stateUpdatedTimestamp}`
          : ''
      }: ${alarm.stateReason ?? 'no reason given'}.`,
    proposedFix:
      `Open the alarm's metric graph to see what crossed the threshold, then act on ` +
      `${scope.subject} (scale out, roll back the latest deployment, or fix the ` +
      `failing dependency); the alarm returns to OK by itself once the metric recovers.`,
    consoleUrl: cloudWatchAlarmConsoleUrl(
      context.environment.region,
      alarm.alarmName,
    ),
    serviceName: scope.serviceName,
    resource: alarm.alarmArn ?? alarm.alarmName,
  });
}

/** CloudWatch alarms of the service that are in ALARM. */
export function detectServiceAlarms(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  return service.alarms
    .filter(alarm => alarm.stateValue === 'ALARM')
    .map(alarm =>
      alarmProblem(alarm, context, {
        idPrefix: `service/${service.serviceName}`,
        subject: service.serviceName,
        serviceName: service.serviceName,
      }),
    );
}

/** CloudWatch alarms on the cluster itself that are in ALARM. */
export function detectClusterAlarms(context: RuleContext): Problem[] {
  const cluster = context.snapshot.cluster;
  if (!cluster) {
    return [];
  }
  return cluster.alarms
    .filter(alarm => alarm.stateValue === 'ALARM')
    .map(alarm =>
      alarmProblem(alarm, context, {
        idPrefix: `cluster/${cluster.clusterName}`,
        subject: `cluster ${cluster.clusterName}`,
      }),
    );
}

/** The health rules that look at one service. */
export const serviceHealthRules = [
  detectRunningBelowDesired,
  detectDeploymentProblems,
  detectPrimaryDeploymentFailedTasks,
  detectTaskPlacementFailures,
  detectStoppedTasks,
  detectUnhealthyTargets,
  detectServiceAlarms,
];

function shortTaskDefinition(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function taskId(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}
