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
import { Descriptions } from '../../caches/AwsReadMemory';
import { chunk, collectPages } from './concurrency';
import { epochSeconds, isoTime } from './time';
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

/**
 * Reads the environment's cluster: its task and service counts (the signals
 * that say whether the service and task lists changed) and its capacity
 * providers' names. Fails the whole read when the cluster cannot be read.
 */
export async function readCluster(ctx: ReadContext): Promise<EcsCluster> {
  const { clients, env, limit, sendOptions } = ctx;
  const output = await limit('DescribeClusters', () =>
    clients.ecs.send(
      new DescribeClustersCommand({ clusters: [env.cluster] }),
      sendOptions,
    ),
  );
  const cluster = output.clusters?.find(
    c => c.clusterName === env.cluster || c.clusterArn === env.cluster,
  );
  if (!cluster || cluster.status === 'INACTIVE') {
    const reason = output.failures?.[0]?.reason ?? 'MISSING';
    const error = new Error(
      `ECS cluster '${env.cluster}' not found in account ${env.accountId} region ${env.region} (${reason})`,
    );
    error.name = 'ClusterNotFoundException';
    throw error;
  }
  return {
    clusterName: cluster.clusterName ?? env.cluster,
    clusterArn: cluster.clusterArn ?? '',
    status: cluster.status ?? 'UNKNOWN',
    runningTasksCount: cluster.runningTasksCount ?? 0,
    pendingTasksCount: cluster.pendingTasksCount ?? 0,
    activeServicesCount: cluster.activeServicesCount ?? 0,
    registeredContainerInstancesCount:
      cluster.registeredContainerInstancesCount ?? 0,
    capacityProviders: (cluster.capacityProviders ?? [])
      .filter(name => !FARGATE_CAPACITY_PROVIDERS.has(name))
      .map(name => ({ name })),
    alarms: [],
  };
}

export interface ServicesRead {
  /** Sorted by name, without tasks, alarms, target health or scaling yet. */
  services: EcsService[];
  /** Every service ARN of the cluster, as listed. */
  serviceArns: string[];
  /** Whether the services were listed this time (not described from the previous listing). */
  listed: boolean;
  /** Whether the set of services differs from the previous listing's (or there was none). */
  setChanged: boolean;
}

/**
 * Describes the cluster's services. `knownArns`, the previous listing, is
 * described directly when the cluster still counts as many active services
 * and none of them is gone; otherwise the services are listed again, each
 * page described as soon as it arrives.
 */
export async function readServices(
  ctx: ReadContext,
  cluster: EcsCluster,
  knownArns: string[] | undefined,
): Promise<ServicesRead> {
  if (knownArns && knownArns.length === cluster.activeServicesCount) {
    const described = (
      await Promise.all(
        chunk(knownArns, DESCRIBE_SERVICES_BATCH_SIZE).map(batch =>
          describeServices(ctx, batch),
        ),
      )
    ).flat();
    const gone = described.length < knownArns.length;
    if (!gone) {
      return {
        services: sortByName(described.map(toEcsService)),
        serviceArns: knownArns,
        listed: false,
        setChanged: false,
      };
    }
  }
  const serviceArns: string[] = [];
  const services = await describeEachPage(
    async nextToken => {
      const page = await ctx.limit('ListServices', () =>
        ctx.clients.ecs.send(
          new ListServicesCommand({
            cluster: ctx.env.cluster,
            maxResults: LIST_PAGE_SIZE,
            nextToken,
          }),
          ctx.sendOptions,
        ),
      );
      serviceArns.push(...(page.serviceArns ?? []));
      return { ids: page.serviceArns, nextToken: page.nextToken };
    },
    DESCRIBE_SERVICES_BATCH_SIZE,
    async batch => (await describeServices(ctx, batch)).map(toEcsService),
  );
  return {
    services: sortByName(services),
    serviceArns,
    listed: true,
    setChanged: !knownArns || !sameMembers(knownArns, serviceArns),
  };
}

/** The services of the batch that still exist (a deleted one is missing or INACTIVE). */
async function describeServices(
  { clients, env, limit, sendOptions }: ReadContext,
  batch: string[],
): Promise<Service[]> {
  const output = await limit('DescribeServices', () =>
    clients.ecs.send(
      new DescribeServicesCommand({ cluster: env.cluster, services: batch }),
      sendOptions,
    ),
  );
  return (output.services ?? []).filter(
    service => service.status !== 'INACTIVE',
  );
}

export interface TasksRead {
  tasks: EcsTask[];
  /** Every task ARN of the listing, described or reused. */
  taskArns: string[];
}

export interface StoppedTasksRead extends TasksRead {
  /** A task stopped that was not known as stopped: the running tasks changed. */
  newlyStopped: boolean;
}

/**
 * Lists the cluster's stopped tasks (ECS keeps them about an hour) and
 * describes those not already known as stopped: a stopped task never changes.
 * Keeps the tasks that stopped within the last hour.
 */
export async function readStoppedTasks(
  ctx: ReadContext,
  known: Descriptions<EcsTask>,
): Promise<StoppedTasksRead> {
  const stoppedSince = ctx.now.getTime() - STOPPED_TASKS_WINDOW_MS;
  let newlyStopped = false;
  const read = await readTaskListing(ctx, 'STOPPED', known, arn => {
    const isKnownStopped = known.get(arn)?.lastStatus === 'STOPPED';
    newlyStopped ||= !isKnownStopped;
    return !isKnownStopped;
  });
  return {
    taskArns: read.taskArns,
    newlyStopped,
    tasks: read.tasks.filter(task => {
      if (task.lastStatus !== 'STOPPED') {
        return true;
      }
      // ECS lists a stopped task for about an hour; one without a stop time
      // is therefore recent.
      const stoppedAt = task.stoppedAt ? Date.parse(task.stoppedAt) : undefined;
      return stoppedAt === undefined || stoppedAt >= stoppedSince;
    }),
  };
}

/**
 * Lists the cluster's running tasks (not per service: one listing serves every
 * service, and tasks are grouped by their `service:NAME` group) and describes
 * those not described yet, or still starting; `redescribe` describes all of
 * them again.
 */
export function readRunningTasks(
  ctx: ReadContext,
  known: Descriptions<EcsTask>,
  options: { redescribe: boolean },
): Promise<TasksRead> {
  return readTaskListing(
    ctx,
    'RUNNING',
    known,
    arn => options.redescribe || needsDescribing(known.get(arn)),
  );
}

/**
 * The running tasks of an earlier listing, without listing again: those
 * still starting are described again, the others reused. For a read whose
 * signals say no task started or stopped since.
 */
export async function reuseRunningTasks(
  ctx: ReadContext,
  known: Descriptions<EcsTask>,
  taskArns: string[],
): Promise<TasksRead> {
  const toDescribe = taskArns.filter(arn => needsDescribing(known.get(arn)));
  const described = await describeTasks(ctx, toDescribe, known);
  const byArn = new Map(described.map(task => [task.taskArn, task]));
  return {
    taskArns,
    tasks: taskArns.flatMap(arn => {
      const task = byArn.get(arn) ?? known.get(arn);
      return task ? [task] : [];
    }),
  };
}

/** A running task is described again until ECS reports it running. */
function needsDescribing(task: EcsTask | undefined): boolean {
  return !task || task.lastStatus !== 'RUNNING';
}

async function readTaskListing(
  ctx: ReadContext,
  desiredStatus: 'RUNNING' | 'STOPPED',
  known: Descriptions<EcsTask>,
  shouldDescribe: (arn: string) => boolean,
): Promise<TasksRead> {
  const taskArns: string[] = [];
  const reused: EcsTask[] = [];
  const described = await describeEachPage(
    async nextToken => {
      const page = await ctx.limit('ListTasks', () =>
        ctx.clients.ecs.send(
          new ListTasksCommand({
            cluster: ctx.env.cluster,
            desiredStatus,
            maxResults: LIST_PAGE_SIZE,
            nextToken,
          }),
          ctx.sendOptions,
        ),
      );
      const arns = page.taskArns ?? [];
      taskArns.push(...arns);
      const toDescribe: string[] = [];
      for (const arn of arns) {
        if (shouldDescribe(arn)) {
          toDescribe.push(arn);
        } else {
          reused.push(known.get(arn)!);
        }
      }
      return { ids: toDescribe, nextToken: page.nextToken };
    },
    DESCRIBE_TASKS_BATCH_SIZE,
    batch => describeTasks(ctx, batch, known),
  );
  return { taskArns, tasks: [...reused, ...described] };
}

/** Describes the tasks 100 at a time and remembers each description by ARN. */
async function describeTasks(
  { clients, env, limit, sendOptions }: ReadContext,
  taskArns: string[],
  known: Descriptions<EcsTask>,
): Promise<EcsTask[]> {
  const batches = await Promise.all(
    chunk(taskArns, DESCRIBE_TASKS_BATCH_SIZE).map(async batch => {
      const output = await limit('DescribeTasks', () =>
        clients.ecs.send(
          new DescribeTasksCommand({ cluster: env.cluster, tasks: batch }),
          sendOptions,
        ),
      );
      // Mapped at once: the SDK's task objects are several times the size of
      // what the snapshot keeps.
      return (output.tasks ?? []).map(toEcsTask);
    }),
  );
  const tasks = batches.flat();
  for (const task of tasks) {
    known.set(task.taskArn, task);
  }
  return tasks;
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

/**
 * Each service with its tasks (grouped by the task's `service:NAME` group);
 * a task that stopped between the two listings is counted once.
 */
export function withTasks(
  services: EcsService[],
  taskLists: EcsTask[][],
): EcsService[] {
  const byArn = new Map<string, EcsTask>();
  for (const task of taskLists.flat()) {
    byArn.set(task.taskArn, task);
  }
  const tasksByService = new Map<string, EcsTask[]>();
  for (const task of byArn.values()) {
    const serviceName = task.group?.startsWith('service:')
      ? task.group.slice('service:'.length)
      : undefined;
    if (serviceName) {
      const list = tasksByService.get(serviceName) ?? [];
      list.push(task);
      tasksByService.set(serviceName, list);
    }
  }
  return services.map(service => ({
    ...service,
    tasks: tasksByService.get(service.serviceName) ?? [],
  }));
}

function toEcsTask(task: Task): EcsTask {
  return {
    taskArn: task.taskArn ?? '',
    group: task.group,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    startedAt: isoTime(task.startedAt),
    stoppedAt: isoTime(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    availabilityZone: task.availabilityZone,
    containers: (task.containers ?? []).map(container => ({
      name: container.name ?? '',
      image: container.image,
      imageDigest: container.imageDigest,
      lastStatus: container.lastStatus,
      exitCode: container.exitCode,
      reason: container.reason,
      healthStatus: container.healthStatus,
    })),
  };
}

/** The service as the snapshot keeps it; tasks and the other areas are added later. */
function toEcsService(service: Service): EcsService {
  const serviceName = service.serviceName ?? '';
  // ECS answers up to 100 events a service: only the kept ones are converted.
  const events = [...(service.events ?? [])]
    .sort((a, b) => epochSeconds(b.createdAt) - epochSeconds(a.createdAt))
    .slice(0, SERVICE_EVENTS_KEPT)
    .map(event => ({
      id: event.id ?? '',
      createdAt: isoTime(event.createdAt) ?? '',
      message: event.message ?? '',
    }));
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
    createdAt: isoTime(service.createdAt),
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
      createdAt: isoTime(deployment.createdAt),
      updatedAt: isoTime(deployment.updatedAt),
    })),
    events,
    tasks: [],
    targetGroupArns,
    targetHealth: [],
    alarms: [],
  };
}

function sortByName(services: EcsService[]): EcsService[] {
  return services.sort((a, b) => a.serviceName.localeCompare(b.serviceName));
}

function sameMembers(a: string[], b: string[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  const members = new Set(a);
  return b.every(item => members.has(item));
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
