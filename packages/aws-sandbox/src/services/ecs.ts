import { AwsError, requireMember } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import type { EnvironmentWorld } from '../world/simulation';
import {
  clusterShape,
  serviceShape,
  taskDefinitionShape,
  taskShape,
} from './ecsShapes';
import { paginate, requireArray } from './paging';

const INVALID = 'InvalidParameterException';

function cluster(
  ctx: OperationContext,
  name: string | undefined,
): EnvironmentWorld {
  const world = ctx.world.byCluster(ctx.account, ctx.region, name ?? 'default');
  if (!world)
    throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
  return world;
}

/** Last path segment of an ARN, or the name itself. */
function shortName(value: string): string {
  return value.includes('/') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

/**
 * The task definition `family`, `family:revision` or its ARN names, in the
 * caller's account and region. A family alone names its latest revision; a
 * revision not registered yet (a later deployment's) does not exist.
 */
function taskDefinition(ctx: OperationContext, reference: string) {
  const arn = reference.match(
    /^arn:aws[a-z-]*:ecs:([^:]+):(\d{12}):task-definition\/(.+)$/,
  );
  const unable = () =>
    new AwsError('ClientException', 'Unable to describe task definition.');
  if (arn && (arn[1] !== ctx.region || arn[2] !== ctx.account)) throw unable();
  const [family, revisionText] = (arn ? arn[3] : reference).split(':');
  if (revisionText !== undefined && !/^[1-9]\d*$/.test(revisionText)) {
    throw new AwsError(
      INVALID,
      `Invalid revision number. Number: ${revisionText}`,
    );
  }
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    const prefix = `${world.spec.cluster}-`;
    if (!family.startsWith(prefix)) continue;
    const service = world.service(family.slice(prefix.length));
    if (!service) continue;
    const schedule = world.schedules.get(service.name)!;
    const latest = schedule.revision(schedule.deploymentIndex(ctx.now));
    const revision = revisionText === undefined ? latest : Number(revisionText);
    if (revision > latest) throw unable();
    return taskDefinitionShape(world, service, revision);
  }
  throw unable();
}

export const ecs: ServiceDefinition = {
  id: 'ecs',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    DescribeClusters: ctx => {
      const names = requireArray<string>(
        ctx.input.clusters,
        'clusters',
        100,
        INVALID,
      );
      const clusters = [];
      const failures = [];
      for (const name of names.length ? names : ['default']) {
        const world = ctx.world.byCluster(ctx.account, ctx.region, name);
        if (world) clusters.push(clusterShape(world, ctx.now));
        else
          failures.push({
            arn: name.startsWith('arn:')
              ? name
              : `arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/${name}`,
            reason: 'MISSING',
          });
      }
      return { clusters, failures };
    },

    ListServices: ctx => {
      const world = cluster(ctx, ctx.input.cluster);
      const arns = world.spec.services.map(s => world.names.serviceArn(s.name));
      const { page, nextToken } = paginate(
        arns,
        ctx.input.nextToken,
        ctx.input.maxResults,
        {
          defaultSize: 10,
          maxSize: 100,
          errorCode: INVALID,
          sizeName: 'maxResults',
          tokenName: 'nextToken',
        },
      );
      return { serviceArns: page, nextToken };
    },

    DescribeServices: ctx => {
      const names = requireArray<string>(
        ctx.input.services,
        'services',
        10,
        INVALID,
        'Services cannot have more than 10 items.',
      );
      if (names.length === 0)
        throw new AwsError(INVALID, 'Services cannot be empty.');
      const world = cluster(ctx, ctx.input.cluster);
      const services = [];
      const failures = [];
      for (const name of names) {
        const spec = world.service(shortName(name));
        if (spec) services.push(serviceShape(world, spec, ctx.now));
        else
          failures.push({
            arn: world.names.serviceArn(shortName(name)),
            reason: 'MISSING',
          });
      }
      return { services, failures };
    },

    ListTasks: ctx => {
      const world = cluster(ctx, ctx.input.cluster);
      const desiredStatus = ctx.input.desiredStatus ?? 'RUNNING';
      if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) {
        throw new AwsError(INVALID, `Invalid desiredStatus: ${desiredStatus}`);
      }
      if (
        ctx.input.serviceName &&
        !world.service(shortName(ctx.input.serviceName))
      ) {
        throw new AwsError('ServiceNotFoundException', 'Service not found.');
      }
      const index = world.tasks(ctx.now);
      const byStatus =
        desiredStatus === 'STOPPED' ? index.stopped : index.notStopped;
      const filtered = !!(ctx.input.serviceName || ctx.input.family);
      const runs = !filtered
        ? byStatus
        : byStatus.filter(run => {
            if (
              ctx.input.serviceName &&
              run.service.name !== shortName(ctx.input.serviceName)
            )
              return false;
            if (
              ctx.input.family &&
              `${world.spec.cluster}-${run.service.name}` !== ctx.input.family
            )
              return false;
            return true;
          });
      const { page, nextToken } = paginate(
        runs,
        ctx.input.nextToken,
        ctx.input.maxResults,
        {
          defaultSize: 100,
          maxSize: 100,
          errorCode: INVALID,
          sizeName: 'maxResults',
          tokenName: 'nextToken',
        },
      );
      return {
        taskArns: page.map(run => world.names.taskArn(run.id)),
        nextToken,
      };
    },

    DescribeTasks: ctx => {
      const ids = requireArray<string>(
        ctx.input.tasks,
        'tasks',
        100,
        INVALID,
        'Tasks cannot have more than 100 items.',
      );
      if (ids.length === 0)
        throw new AwsError(INVALID, 'Tasks cannot be empty.');
      const world = cluster(ctx, ctx.input.cluster);
      const { byId } = world.tasks(ctx.now);
      const tasks = [];
      const failures = [];
      for (const id of ids) {
        const run = byId.get(shortName(id));
        if (run) tasks.push(taskShape(world, run, ctx.now));
        else
          failures.push({
            arn: id.startsWith('arn:') ? id : world.names.taskArn(id),
            reason: 'MISSING',
          });
      }
      return { tasks, failures };
    },

    DescribeTaskDefinition: ctx => {
      requireMember(ctx.input.taskDefinition, 'taskDefinition', INVALID);
      const include = requireArray<string>(
        ctx.input.include,
        'include',
        1,
        INVALID,
      );
      if (include.some(value => value !== 'TAGS')) {
        throw new AwsError(
          INVALID,
          `1 validation error detected: Value '[${include.join(
            ', ',
          )}]' at 'include' failed to satisfy constraint: Member must satisfy enum value set: [TAGS]`,
        );
      }
      return {
        taskDefinition: taskDefinition(ctx, String(ctx.input.taskDefinition)),
        ...(include.length ? { tags: [] } : {}),
      };
    },

    DescribeCapacityProviders: ctx => {
      const names = requireArray<string>(
        ctx.input.capacityProviders,
        'capacityProviders',
        100,
        INVALID,
      );
      const worlds = ctx.world.in(ctx.account, ctx.region);
      const custom = worlds.flatMap(world =>
        world.spec.capacityProviders.map(cp => ({
          name: cp.name,
          shape: () => ({
            capacityProviderArn: world.names.capacityProviderArn(cp.name),
            name: cp.name,
            status: 'ACTIVE',
            autoScalingGroupProvider: {
              autoScalingGroupArn: world.names.autoScalingGroupArn(
                cp.autoScalingGroup.name,
              ),
              managedScaling: {
                status: 'ENABLED',
                targetCapacity: 100,
                minimumScalingStepSize: 1,
                maximumScalingStepSize: 10000,
                instanceWarmupPeriod: 300,
              },
              managedTerminationProtection: 'DISABLED',
              managedDraining: 'ENABLED',
            },
            updateStatus: 'UPDATE_COMPLETE',
            tags: [],
          }),
        })),
      );
      // AWS's own Fargate providers exist in every account
      const fargate = ['FARGATE', 'FARGATE_SPOT'].map(name => ({
        name,
        shape: () => ({
          capacityProviderArn: `arn:aws:ecs:${ctx.region}:${ctx.account}:capacity-provider/${name}`,
          name,
          status: 'ACTIVE',
          tags: [],
        }),
      }));
      const all = [...custom, ...fargate];
      const selected = names.length
        ? names.map(name => ({
            name,
            found: all.find(x => x.name === shortName(name)),
          }))
        : all.map(found => ({ name: found.name, found }));
      const failures = selected
        .filter(s => !s.found)
        .map(s => ({
          arn: s.name.startsWith('arn:')
            ? s.name
            : `arn:aws:ecs:${ctx.region}:${ctx.account}:capacity-provider/${s.name}`,
          reason: 'MISSING',
        }));
      const found = selected.flatMap(s => (s.found ? [s.found] : []));
      const { page, nextToken } = paginate(
        found,
        ctx.input.nextToken,
        ctx.input.maxResults,
        {
          defaultSize: 10,
          maxSize: 10,
          errorCode: INVALID,
          sizeName: 'maxResults',
          tokenName: 'nextToken',
        },
      );
      return {
        capacityProviders: page.map(provider => provider.shape()),
        failures,
        nextToken,
      };
    },
  },
};
