import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  Service,
  Task,
} from '@aws-sdk/client-ecs';
import {
  CapacityProvider,
  EcsCluster,
  EcsService,
  EcsTask,
} from '@kler/plugin-environments-common';
import { chunk, collectPages } from './concurrency';
import { ReadContext } from './types';

/** DescribeServices accepts at most 10 services per call. */
export const DESCRIBE_SERVICES_BATCH_SIZE = 10;
/** DescribeTasks accepts at most 100 tasks per call. */
export const DESCRIBE_TASKS_BATCH_SIZE = 100;
const LIST_PAGE_SIZE = 100;
const SERVICE_EVENTS_KEPT = 5;
const STOPPED_TASKS_WINDOW_MS = 60 * 60 * 1000;
/** AWS-managed capacity providers, which DescribeCapacityProviders does not need to describe. */
const FARGATE_CAPACITY_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

const iso = (date: Date | undefined) => date?.toISOString();

export interface EcsReadResult {
  cluster: EcsCluster;
  services: EcsService[];
}

/**
 * Reads the environment's cluster, its services and their tasks. Any failure
 * here fails the whole read: without ECS there is nothing to evaluate.
 */
export async function readEcs(ctx: ReadContext): Promise<EcsReadResult> {
  const { clients, env, limit, sendOptions } = ctx;

  const clusterOutput = await limit('DescribeClusters', () =>
    clients.ecs.send(
      new DescribeClustersCommand({ clusters: [env.cluster] }),
      sendOptions,
    ),
  );
  const rawCluster = clusterOutput.clusters?.find(
    c => c.clusterName === env.cluster || c.clusterArn === env.cluster,
  );
  if (!rawCluster || rawCluster.status === 'INACTIVE') {
    const reason = clusterOutput.failures?.[0]?.reason ?? 'MISSING';
    const error = new Error(
      `ECS cluster '${env.cluster}' not found in account ${env.accountId} region ${env.region} (${reason})`,
    );
    error.name = 'ClusterNotFoundException';
    throw error;
  }

  // The task listing needs no service list: both start now, and each page
  // is described as soon as it arrives.
  const [services, tasks] = await Promise.all([
    readServices(ctx),
    readTasks(ctx),
  ]);

  const tasksByService = new Map<string, EcsTask[]>();
  for (const task of tasks) {
    const serviceName = task.group?.startsWith('service:')
      ? task.group.slice('service:'.length)
      : undefined;
    if (serviceName) {
      const list = tasksByService.get(serviceName) ?? [];
      list.push(task);
      tasksByService.set(serviceName, list);
    }
  }

  services.sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  for (const service of services) {
    service.tasks = tasksByService.get(service.serviceName) ?? [];
  }

  return {
    cluster: {
      clusterName: rawCluster.clusterName ?? env.cluster,
      clusterArn: rawCluster.clusterArn ?? '',
      status: rawCluster.status ?? 'UNKNOWN',
      runningTasksCount: rawCluster.runningTasksCount ?? 0,
      pendingTasksCount: rawCluster.pendingTasksCount ?? 0,
      activeServicesCount: rawCluster.activeServicesCount ?? 0,
      registeredContainerInstancesCount:
        rawCluster.registeredContainerInstancesCount ?? 0,
      capacityProviders: (rawCluster.capacityProviders ?? [])
        .filter(name => !FARGATE_CAPACITY_PROVIDERS.has(name))
        .map(name => ({ name })),
      alarms: [],
    },
    services,
  };
}

/**
 * Starts `describe` on every page of `listPage` as soon as the page arrives,
 * instead of after the last page, and returns every item described.
 */
async function describeEachPage<TItem>(
  listPage: (
    nextToken: string | undefined,
  ) => Promise<{ ids: string[] | undefined; nextToken: string | undefined }>,
  batchSize: number,
  describe: (ids: string[]) => Promise<TItem[]>,
): Promise<TItem[]> {
  const described: Array<Promise<TItem[]>> = [];
  await collectPages(async nextToken => {
    const page = await listPage(nextToken);
    for (const batch of chunk(page.ids ?? [], batchSize)) {
      const batchRead = describe(batch);
      // Awaited below; until then a failure must not count as unhandled.
      batchRead.catch(() => undefined);
      described.push(batchRead);
    }
    return { items: [], nextToken: page.nextToken };
  });
  return (await Promise.all(described)).flat();
}

function readServices({
  clients,
  env,
  limit,
  sendOptions,
}: ReadContext): Promise<EcsService[]> {
  return describeEachPage(
    async nextToken => {
      const page = await limit('ListServices', () =>
        clients.ecs.send(
          new ListServicesCommand({
            cluster: env.cluster,
            maxResults: LIST_PAGE_SIZE,
            nextToken,
          }),
          sendOptions,
        ),
      );
      return { ids: page.serviceArns, nextToken: page.nextToken };
    },
    DESCRIBE_SERVICES_BATCH_SIZE,
    async batch => {
      const output = await limit('DescribeServices', () =>
        clients.ecs.send(
          new DescribeServicesCommand({
            cluster: env.cluster,
            services: batch,
          }),
          sendOptions,
        ),
      );
      return (output.services ?? []).map(toEcsService);
    },
  );
}

/**
 * Lists the cluster's tasks (not per service: one listing serves every service,
 * and tasks are grouped by their `service:NAME` group), running ones plus those
 * stopped within the last hour.
 */
async function readTasks(ctx: ReadContext): Promise<EcsTask[]> {
  const { clients, env, limit, sendOptions, now } = ctx;
  const stoppedSince = now.getTime() - STOPPED_TASKS_WINDOW_MS;
  // Each page is mapped as it arrives: at a thousand services the SDK's task
  // objects are several times the size of what the snapshot keeps.
  const describeTasks = async (batch: string[]) => {
    const output = await limit('DescribeTasks', () =>
      clients.ecs.send(
        new DescribeTasksCommand({ cluster: env.cluster, tasks: batch }),
        sendOptions,
      ),
    );
    return (output.tasks ?? [])
      .filter(task => {
        if (task.lastStatus !== 'STOPPED') {
          return true;
        }
        const stoppedAt =
          task.stoppedAt ?? task.executionStoppedAt ?? task.stoppingAt;
        // ECS lists a stopped task for about an hour; one without a stop time
        // is therefore recent.
        return !stoppedAt || stoppedAt.getTime() >= stoppedSince;
      })
      .map(toEcsTask);
  };
  const readTasksWithStatus = (desiredStatus: 'RUNNING' | 'STOPPED') =>
    describeEachPage(
      async nextToken => {
        const page = await limit('ListTasks', () =>
          clients.ecs.send(
            new ListTasksCommand({
              cluster: env.cluster,
              desiredStatus,
              maxResults: LIST_PAGE_SIZE,
              nextToken,
            }),
            sendOptions,
          ),
        );
        return { ids: page.taskArns, nextToken: page.nextToken };
      },
      DESCRIBE_TASKS_BATCH_SIZE,
      describeTasks,
    );

  const [running, stopped] = await Promise.all([
    readTasksWithStatus('RUNNING'),
    readTasksWithStatus('STOPPED'),
  ]);
  // A task that stopped between the two listings is in both.
  const byArn = new Map<string, EcsTask>();
  for (const task of [...running, ...stopped]) {
    byArn.set(task.taskArn, task);
  }
  return [...byArn.values()];
}

function toEcsTask(task: Task): EcsTask {
  return {
    taskArn: task.taskArn ?? '',
    group: task.group,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    startedAt: iso(task.startedAt),
    stoppedAt: iso(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    containers: (task.containers ?? []).map(container => ({
      name: container.name ?? '',
      lastStatus: container.lastStatus,
      exitCode: container.exitCode,
      reason: container.reason,
      healthStatus: container.healthStatus,
    })),
  };
}

/** The service as the snapshot keeps it; its tasks are added once all are read. */
function toEcsService(service: Service): EcsService {
  const serviceName = service.serviceName ?? '';
  const events = (service.events ?? [])
    .map(event => ({
      id: event.id ?? '',
      createdAt: iso(event.createdAt) ?? '',
      message: event.message ?? '',
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, SERVICE_EVENTS_KEPT);
  const targetGroupArns = [
    ...new Set(
      (service.loadBalancers ?? []).flatMap(lb =>
        lb.targetGroupArn ? [lb.targetGroupArn] : [],
      ),
    ),
  ];
  return {
    serviceName,
    serviceArn: service.serviceArn ?? '',
    status: service.status ?? 'UNKNOWN',
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    taskDefinition: service.taskDefinition,
    createdAt: iso(service.createdAt),
    deployments: (service.deployments ?? []).map(deployment => ({
      id: deployment.id ?? '',
      status: deployment.status ?? 'UNKNOWN',
      rolloutState: deployment.rolloutState,
      rolloutStateReason: deployment.rolloutStateReason,
      taskDefinition: deployment.taskDefinition ?? '',
      desiredCount: deployment.desiredCount ?? 0,
      runningCount: deployment.runningCount ?? 0,
      pendingCount: deployment.pendingCount ?? 0,
      failedTasks: deployment.failedTasks ?? 0,
      createdAt: iso(deployment.createdAt),
      updatedAt: iso(deployment.updatedAt),
    })),
    events,
    tasks: [],
    targetGroupArns,
    targetHealth: [],
    alarms: [],
  };
}

/**
 * Describes the cluster's own capacity providers (the ones backed by EC2 Auto
 * Scaling groups); FARGATE providers were already left out.
 */
export async function readCapacityProviders(
  { clients, limit, sendOptions }: ReadContext,
  names: string[],
): Promise<CapacityProvider[]> {
  if (names.length === 0) {
    return [];
  }
  const output = await limit('DescribeCapacityProviders', () =>
    clients.ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: names }),
      sendOptions,
    ),
  );
  return (output.capacityProviders ?? []).map(provider => {
    const asgArn = provider.autoScalingGroupProvider?.autoScalingGroupArn;
    return {
      name: provider.name ?? '',
      status: provider.status,
      autoScalingGroupArn: asgArn,
      autoScalingGroupName: asgArn
        ? autoScalingGroupNameFromArn(asgArn)
        : undefined,
      managedScalingStatus:
        provider.autoScalingGroupProvider?.managedScaling?.status,
      targetCapacity:
        provider.autoScalingGroupProvider?.managedScaling?.targetCapacity,
    };
  });
}

/** `arn:aws:autoscaling:...:autoScalingGroup:<uuid>:autoScalingGroupName/<name>` -> `<name>`; a plain name is returned as is. */
export function autoScalingGroupNameFromArn(arnOrName: string): string {
  const marker = 'autoScalingGroupName/';
  const index = arnOrName.indexOf(marker);
  return index >= 0 ? arnOrName.slice(index + marker.length) : arnOrName;
}
