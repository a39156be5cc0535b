import type { ServiceSpec } from '../scenario/schema';
import { digits, hexId, uuid } from '../world/random';
import { autoScalingGroupState } from '../world/capacity';
import type { EnvironmentWorld } from '../world/simulation';
import type { TaskRun } from '../world/tasks';
import { CREATED_AT, MINUTE } from '../world/time';

const date = (ms: number) => new Date(ms);

// ids are hashes of names: computed once each, they cost a lookup per answer
function deploymentId(
  world: EnvironmentWorld,
  service: string,
  key: string | number,
) {
  return world.derivedIds.get(
    `deployment|${service}|${key}`,
    () => `ecs-svc/${digits(19, world.seed, world.spec.name, service, key)}`,
  );
}

function capacityProviderStrategy(world: EnvironmentWorld) {
  return world.spec.capacityProviders.map((cp, i) => ({
    capacityProvider: cp.name,
    weight: 1,
    base: i === 0 ? 1 : 0,
  }));
}

function networkConfiguration(world: EnvironmentWorld, service: string) {
  return {
    awsvpcConfiguration: {
      subnets: world.spec.availabilityZones.map(zone =>
        world.derivedIds.get(
          `subnet|${zone}`,
          () => `subnet-${hexId(17, world.seed, world.spec.account, zone)}`,
        ),
      ),
      securityGroups: [
        world.derivedIds.get(
          `sg|${service}`,
          () => `sg-${hexId(17, world.seed, world.spec.account, service)}`,
        ),
      ],
      assignPublicIp: 'DISABLED',
    },
  };
}

/**
 * A task as DescribeTasks answers it. The shape depends on the clock only
 * through whether the task is still pending, and a task id fixes everything
 * else but how it stopped, so shapes are computed once per id, stop and
 * pending state.
 */
export function taskShape(world: EnvironmentWorld, run: TaskRun, now: number) {
  const pending = run.stoppedAt === undefined && run.startedAt > now;
  return world.taskShapes.get(
    `${run.id}|${run.stoppedAt ?? ''}|${run.stopKind ?? ''}|${pending}`,
    () => computeTaskShape(world, run, pending),
  );
}

function computeTaskShape(
  world: EnvironmentWorld,
  run: TaskRun,
  pending: boolean,
) {
  const { names } = world;
  const service = run.service;
  const stopped = run.stoppedAt !== undefined;
  const crashed = run.stopKind === 'crash';
  const failedStart = run.stopKind === 'failedStart';
  let lastStatus = 'RUNNING';
  let version = 3;
  if (stopped) {
    lastStatus = 'STOPPED';
    version = 5;
  } else if (pending) {
    lastStatus = 'PENDING';
    version = 2;
  }
  let exitCode = 0;
  if (crashed) exitCode = service.crash?.exitCode ?? 137;
  if (failedStart) exitCode = 1;
  const exited = crashed || failedStart;
  const stopCode = exited
    ? 'EssentialContainerExited'
    : 'ServiceSchedulerInitiated';
  const taskArn = names.taskArn(run.id);
  const ip = world.taskIp(run);
  const stopReason = exited
    ? 'Essential container in task exited'
    : `Scaling activity initiated by (deployment ${deploymentId(
        world,
        service.name,
        run.deployment,
      )})`;
  return {
    attachments: [
      {
        id: hexId(36, world.seed, 'eni-attachment', run.id),
        type: 'ElasticNetworkInterface',
        status: stopped ? 'DELETED' : 'ATTACHED',
        details: [
          {
            name: 'subnetId',
            value: networkConfiguration(world, service.name).awsvpcConfiguration
              .subnets[
              world.spec.availabilityZones.indexOf(
                world.availabilityZone(run.slot, service),
              )
            ],
          },
          {
            name: 'networkInterfaceId',
            value: `eni-${hexId(17, world.seed, 'eni', run.id)}`,
          },
          { name: 'privateIPv4Address', value: ip },
        ],
      },
    ],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: world.availabilityZone(run.slot, service),
    capacityProviderName: world.spec.capacityProviders[0]?.name,
    clusterArn: names.clusterArn,
    connectivity: stopped ? 'DISCONNECTED' : 'CONNECTED',
    connectivityAt: date(run.createdAt + 5000),
    containers: [
      {
        containerArn: `arn:aws:ecs:${world.spec.region}:${
          world.spec.account
        }:container/${world.spec.cluster}/${run.id}/${hexId(
          36,
          world.seed,
          'container',
          run.id,
        )}`,
        taskArn,
        name: service.name,
        image: service.image,
        imageDigest: pending
          ? undefined
          : imageDigest(world, service, run.revision),
        runtimeId: `${run.id}-${hexId(10, run.id)}`,
        lastStatus,
        exitCode: stopped ? exitCode : undefined,
        reason: crashed ? service.crash?.reason : undefined,
        networkBindings: [],
        networkInterfaces: [
          {
            attachmentId: hexId(36, world.seed, 'eni-attachment', run.id),
            privateIpv4Address: ip,
          },
        ],
        healthStatus: pending || stopped ? 'UNKNOWN' : 'HEALTHY',
        cpu: String(service.cpu),
        memory: String(service.memory),
      },
    ],
    cpu: String(service.cpu),
    createdAt: date(run.createdAt),
    desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
    enableExecuteCommand: false,
    group: `service:${service.name}`,
    healthStatus: pending || stopped ? 'UNKNOWN' : 'HEALTHY',
    lastStatus,
    launchType: 'EC2',
    memory: String(service.memory),
    overrides: {
      containerOverrides: [{ name: service.name }],
      inferenceAcceleratorOverrides: [],
    },
    pullStartedAt: date(run.createdAt + 2000),
    pullStoppedAt: date(run.createdAt + 12000),
    startedAt: pending ? undefined : date(run.startedAt),
    startedBy: deploymentId(world, service.name, run.deployment),
    stopCode: stopped ? stopCode : undefined,
    stoppedReason: stopped ? stopReason : undefined,
    stoppingAt: stopped ? date(run.stoppedAt!) : undefined,
    executionStoppedAt: stopped ? date(run.stoppedAt! + 1000) : undefined,
    stoppedAt: stopped ? date(run.stoppedAt! + 30000) : undefined,
    tags: [],
    taskArn,
    taskDefinitionArn: names.taskDefinitionArn(service.name, run.revision),
    version,
  };
}

/**
 * The digest a revision's image resolves to: one per reference, except that
 * a `latest` tag moves, so each revision pulled a different image.
 */
export function imageDigest(
  world: EnvironmentWorld,
  service: ServiceSpec,
  revision: number,
): string {
  const pinned = service.image.match(/@(sha256:[0-9a-f]{64})$/);
  if (pinned) return pinned[1];
  const moving =
    !/:[^/:]+$/.test(service.image) || /:latest$/.test(service.image);
  return world.derivedIds.get(
    `digest|${service.image}|${moving ? revision : ''}`,
    () =>
      `sha256:${hexId(
        64,
        world.seed,
        'image',
        service.image,
        moving ? revision : '',
      )}`,
  );
}

/** The revision's registration time: revision 1 with the service, each later one with its deployment. */
function registeredAt(
  world: EnvironmentWorld,
  service: ServiceSpec,
  revision: number,
) {
  return revision < 2
    ? CREATED_AT
    : world.schedules.get(service.name)!.deploymentStart(revision - 2);
}

/**
 * A task definition as DescribeTaskDefinition answers it: every revision of a
 * service runs the service's image with its variables and secrets (a
 * revision's `latest` tag resolving to its own digest in the tasks).
 */
export function taskDefinitionShape(
  world: EnvironmentWorld,
  service: ServiceSpec,
  revision: number,
) {
  const family = `${world.spec.cluster}-${service.name}`;
  const { account, region } = world.spec;
  return {
    taskDefinitionArn: world.names.taskDefinitionArn(service.name, revision),
    containerDefinitions: [
      {
        name: service.name,
        image: service.image,
        cpu: service.cpu,
        memory: service.memory,
        portMappings: [
          {
            containerPort: service.containerPort,
            hostPort: service.containerPort,
            protocol: 'tcp',
          },
        ],
        essential: true,
        environment: service.environment.map(({ name, value }) => ({
          name,
          value,
        })),
        mountPoints: [],
        volumesFrom: [],
        secrets: service.secrets.map(({ name, valueFrom }) => ({
          name,
          valueFrom,
        })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${world.spec.cluster}/${service.name}`,
            'awslogs-region': region,
            'awslogs-stream-prefix': service.name,
          },
        },
      },
    ],
    family,
    taskRoleArn: `arn:aws:iam::${account}:role/${family}-task`,
    executionRoleArn: `arn:aws:iam::${account}:role/${family}-execution`,
    networkMode: 'awsvpc',
    revision,
    volumes: [],
    status: 'ACTIVE',
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.task-eni' },
      ...(service.secrets.length
        ? [{ name: 'ecs.capability.secrets.ssm.environment-variables' }]
        : []),
    ],
    placementConstraints: [],
    compatibilities: ['EC2'],
    requiresCompatibilities: ['EC2'],
    cpu: String(service.cpu),
    memory: String(service.memory),
    registeredAt: date(registeredAt(world, service, revision)),
    registeredBy: `arn:aws:iam::${account}:role/kler-deployer`,
  };
}

interface DeploymentView {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  revision: number;
  desired: number;
  running: number;
  pending: number;
  failed: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  rolloutStateReason: string;
}

function deployments(
  world: EnvironmentWorld,
  service: ServiceSpec,
  now: number,
  running: number,
  pending: number,
): DeploymentView[] {
  const schedule = world.schedules.get(service.name)!;
  const desired = world.desired(service, now);
  const index = schedule.deploymentIndex(now);
  const start = schedule.deploymentStart(index);
  const end = start + schedule.rollout;
  const id = (key: string | number) => deploymentId(world, service.name, key);
  if (service.deployment.fails) {
    const failed = schedule.failedAttemptTimes(
      index,
      Math.min(now, end),
    ).length;
    const good: DeploymentView = {
      id: id('stable'),
      status: 'ACTIVE',
      revision: 1,
      desired,
      running,
      pending,
      failed: 0,
      createdAt: CREATED_AT,
      updatedAt: start,
      rolloutState: 'COMPLETED',
      rolloutStateReason: 'ECS deployment ecs-svc completed.',
    };
    const attempt: DeploymentView = {
      id: id(index),
      status: now < end ? 'PRIMARY' : 'ACTIVE',
      revision: schedule.revision(index),
      desired: now < end ? desired : 0,
      running: 0,
      pending: 0,
      failed,
      createdAt: start,
      updatedAt: Math.min(now, end),
      rolloutState: now < end ? 'IN_PROGRESS' : 'FAILED',
      rolloutStateReason:
        now < end
          ? `ECS deployment ${id(index)} in progress.`
          : `ECS deployment circuit breaker: tasks failed to start.`,
    };
    if (now < end) return [attempt, good];
    return [
      {
        ...good,
        id: id(`rollback-${index}`),
        status: 'PRIMARY',
        createdAt: end,
        updatedAt: end + 3 * MINUTE,
        rolloutStateReason: `ECS deployment ${id(
          `rollback-${index}`,
        )} completed.`,
      },
      attempt,
    ];
  }
  if (now < end) {
    const replaced = Array.from({ length: desired }, (_, slot) => slot).filter(
      slot => now - start >= schedule.slotDelay(slot),
    ).length;
    return [
      {
        id: id(index),
        status: 'PRIMARY',
        revision: schedule.revision(index),
        desired,
        running: Math.min(running, replaced),
        pending,
        failed: 0,
        createdAt: start,
        updatedAt: now,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: `ECS deployment ${id(index)} in progress.`,
      },
      {
        id: id(index - 1),
        status: 'ACTIVE',
        revision: schedule.revision(index - 1),
        desired: desired - replaced,
        running: Math.max(0, running - replaced),
        pending: 0,
        failed: 0,
        createdAt: schedule.deploymentStart(index - 1),
        updatedAt: now,
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${id(index - 1)} completed.`,
      },
    ];
  }
  return [
    {
      id: id(index),
      status: 'PRIMARY',
      revision: schedule.revision(index),
      desired,
      running,
      pending,
      failed: 0,
      createdAt: start,
      updatedAt: end,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${id(index)} completed.`,
    },
  ];
}

function events(world: EnvironmentWorld, service: ServiceSpec, now: number) {
  const schedule = world.schedules.get(service.name)!;
  const out: Array<{ id: string; createdAt: Date; message: string }> = [];
  const index = schedule.deploymentIndex(now);
  for (let k = index; k > index - 3; k--) {
    const start = schedule.deploymentStart(k);
    const end = start + schedule.rollout;
    const id = deploymentId(world, service.name, k);
    const event = (at: number, message: string) =>
      at <= now &&
      out.push({
        id: world.derivedIds.get(`event|${service.name}|${at}|${message}`, () =>
          uuid(world.seed, service.name, at, message),
        ),
        createdAt: date(at),
        message: `(service ${service.name}) ${message}`,
      });
    if (service.deployment.fails) {
      event(
        end,
        `rolling back to deployment ${deploymentId(
          world,
          service.name,
          'stable',
        )}.`,
      );
      event(
        end - 1000,
        `(deployment ${id}) deployment failed: tasks failed to start.`,
      );
    } else {
      event(end + MINUTE, 'has reached a steady state.');
      event(end, `(deployment ${id}) deployment completed.`);
    }
    event(
      start + 20000,
      `has started ${Math.max(1, world.desired(service, start))} tasks.`,
    );
  }
  return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

export function serviceShape(
  world: EnvironmentWorld,
  service: ServiceSpec,
  now: number,
) {
  const { names } = world;
  const tasks = world
    .serviceTasks(service.name, now)
    .filter(run => run.stoppedAt === undefined);
  const running = tasks.filter(t => t.startedAt <= now).length;
  const pending = tasks.length - running;
  const views = deployments(world, service, now, running, pending);
  const primary = views[0];
  return {
    serviceArn: names.serviceArn(service.name),
    serviceName: service.name,
    clusterArn: names.clusterArn,
    loadBalancers: service.targetGroup
      ? [
          {
            targetGroupArn: names.targetGroupArn(service.targetGroup),
            containerName: service.name,
            containerPort: service.containerPort,
          },
        ]
      : [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: world.desired(service, now),
    runningCount: running,
    pendingCount: pending,
    capacityProviderStrategy: capacityProviderStrategy(world),
    taskDefinition: names.taskDefinitionArn(service.name, primary.revision),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'ROLLING',
    },
    deployments: views.map(view => ({
      id: view.id,
      status: view.status,
      taskDefinition: names.taskDefinitionArn(service.name, view.revision),
      desiredCount: view.desired,
      pendingCount: view.pending,
      runningCount: view.running,
      failedTasks: view.failed,
      createdAt: date(view.createdAt),
      updatedAt: date(view.updatedAt),
      capacityProviderStrategy: capacityProviderStrategy(world),
      networkConfiguration: networkConfiguration(world, service.name),
      rolloutState: view.rolloutState,
      rolloutStateReason: view.rolloutStateReason,
    })),
    roleArn: `arn:aws:iam::${world.spec.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: events(world, service, now),
    createdAt: date(CREATED_AT),
    placementConstraints: [],
    placementStrategy: [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
    ],
    networkConfiguration: networkConfiguration(world, service.name),
    healthCheckGracePeriodSeconds: service.targetGroup ? 60 : 0,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${world.spec.account}:role/kler-deployer`,
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'ENABLED',
  };
}

export function clusterShape(world: EnvironmentWorld, now: number) {
  const runs = world.tasks(now).notStopped;
  const running = runs.filter(r => r.startedAt <= now).length;
  return {
    clusterArn: world.names.clusterArn,
    clusterName: world.spec.cluster,
    status: 'ACTIVE',
    registeredContainerInstancesCount: world.spec.capacityProviders.reduce(
      (sum, cp) =>
        sum + (autoScalingGroupState(world, cp.name, now)?.desired ?? 0),
      0,
    ),
    runningTasksCount: running,
    pendingTasksCount: runs.length - running,
    activeServicesCount: world.spec.services.length,
    statistics: [],
    tags: [],
    settings: [{ name: 'containerInsights', value: 'enabled' }],
    capacityProviders: [
      ...world.spec.capacityProviders.map(cp => cp.name),
      'FARGATE',
      'FARGATE_SPOT',
    ],
    defaultCapacityProviderStrategy: capacityProviderStrategy(world),
  };
}
