import {
  ContainerDefinition,
  DescribeTaskDefinitionCommand,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  ContainerDefinitionSummary,
  ContainerImageRef,
  ContainerSecretRef,
  EcsService,
  TaskDefinitionSummary,
} from '@kler/plugin-environments-common';
import { isThrottlingError } from '@smithy/core/retry';
import { Descriptions } from '../../caches/AwsReadMemory';
import { SharedDescriptions } from '../../caches/SharedDescriptions';
import { ReadContext } from './types';

type SdkError = Parameters<typeof isThrottlingError>[0];

/** The deployments whose task definitions run: the one rolling out and those it replaces. */
const DEPLOYMENTS_IN_USE = new Set(['PRIMARY', 'ACTIVE']);

/** The task definition ARNs of the services' PRIMARY and ACTIVE deployments, each once, sorted. */
export function taskDefinitionArnsInUse(services: EcsService[]): string[] {
  const arns = new Set<string>();
  for (const service of services) {
    for (const deployment of service.deployments) {
      if (
        DEPLOYMENTS_IN_USE.has(deployment.status) &&
        deployment.taskDefinition
      ) {
        arns.add(deployment.taskDefinition);
      }
    }
  }
  return [...arns].sort();
}

/** The task definitions in use as one read found them. */
export interface TaskDefinitionsRead {
  /** Those described (now, earlier or by another replica), by ARN. */
  byArn: Map<string, TaskDefinitionSummary>;
  /**
   * False while some in use are left for a later read (over this read's
   * budget, or throttled): the snapshot part stays pending until then.
   */
  complete: boolean;
}

export interface ReadTaskDefinitionsOptions {
  /** What this replica described before, by ARN. */
  known: Descriptions<TaskDefinitionSummary>;
  /** What any replica described, by ARN (the Backstage cache). */
  shared?: SharedDescriptions<TaskDefinitionSummary>;
  /** How many DescribeTaskDefinition calls this read may make at most. */
  budget: number;
  /** Hears a task definition that could not be described (not throttled). */
  onFailure: (arn: string, error: unknown) => void;
}

/**
 * Describes the task definitions in use, each once: a task definition never
 * changes under its ARN, so one described before, here or by another replica
 * through the shared cache, is reused for as long as a deployment uses it.
 *
 * A read describes at most `budget` new ones, so that a first read of
 * thousands leaves the account's DescribeTaskDefinition rate to the
 * deployments, Terraform and the console that share it and does not hold the
 * rest of the snapshot back; the following reads describe the next ones.
 * One throttled even after the SDK's retries is left for the next read like
 * those over the budget: this backend paces these calls, so AWS throttling
 * them says to slow down, not that the area cannot be read. Any other
 * failure is given to `onFailure`.
 */
export async function readTaskDefinitions(
  { clients, limit, sendOptions }: ReadContext,
  arns: string[],
  { known, shared, budget, onFailure }: ReadTaskDefinitionsOptions,
): Promise<TaskDefinitionsRead> {
  const byArn = new Map<string, TaskDefinitionSummary>();
  for (const arn of arns) {
    const reused = known.get(arn);
    if (reused) {
      byArn.set(arn, reused);
    }
  }
  let missing = arns.filter(arn => !byArn.has(arn));
  if (shared && missing.length > 0) {
    for (const [arn, summary] of await shared.getMany(missing)) {
      known.set(arn, summary);
      byArn.set(arn, summary);
    }
    missing = missing.filter(arn => !byArn.has(arn));
  }

  let deferred = Math.max(0, missing.length - budget);
  await Promise.all(
    missing.slice(0, budget).map(async arn => {
      try {
        const output = await limit('DescribeTaskDefinition', () =>
          clients.ecs.send(
            new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
            sendOptions,
          ),
        );
        if (!output.taskDefinition) {
          throw new Error(`no task definition in the answer for ${arn}`);
        }
        // Reduced at once: the answer holds the variables' values.
        const summary = toTaskDefinitionSummary(output.taskDefinition, arn);
        known.set(arn, summary);
        byArn.set(arn, summary);
        await shared?.set(arn, summary);
      } catch (error) {
        if (isThrottlingError(error as SdkError)) {
          deferred += 1;
        } else {
          onFailure(arn, error);
        }
      }
    }),
  );
  known.retainOnly(arns);
  await shared?.keepAlive(byArn, arns);
  return { byArn, complete: deferred === 0 };
}

/**
 * The service's task definitions as the snapshot carries them: the
 * PRIMARY deployment's first, then the ACTIVE ones'. Absent while the
 * primary's is not described, so that what shows is never an older
 * revision posing as the one rolling out.
 */
export function serviceTaskDefinitions(
  service: EcsService,
  byArn: Map<string, TaskDefinitionSummary> | undefined,
): TaskDefinitionSummary[] | undefined {
  const primary = service.deployments.find(d => d.status === 'PRIMARY');
  const primaryDefinition = primary && byArn?.get(primary.taskDefinition);
  if (!primaryDefinition) {
    return undefined;
  }
  const active = service.deployments.flatMap(deployment => {
    const definition =
      deployment.status === 'ACTIVE'
        ? byArn!.get(deployment.taskDefinition)
        : undefined;
    return definition && definition !== primaryDefinition ? [definition] : [];
  });
  return [primaryDefinition, ...new Set(active)];
}

/**
 * What the snapshot keeps of a task definition: images, sizes, ports, log
 * driver, and the names of the variables and secrets. Never a variable's
 * value: it is not copied from the answer.
 */
export function toTaskDefinitionSummary(
  definition: TaskDefinition,
  arn: string,
): TaskDefinitionSummary {
  return {
    taskDefinitionArn: definition.taskDefinitionArn ?? arn,
    family: definition.family ?? '',
    revision: definition.revision ?? 0,
    cpu: definition.cpu,
    memory: definition.memory,
    containers: (definition.containerDefinitions ?? []).map(toContainerSummary),
  };
}

function toContainerSummary(
  container: ContainerDefinition,
): ContainerDefinitionSummary {
  const ports = [
    ...new Set(
      (container.portMappings ?? []).flatMap(mapping =>
        mapping.containerPort !== undefined ? [mapping.containerPort] : [],
      ),
    ),
  ].sort((a, b) => a - b);
  const environmentNames = [
    ...new Set(
      (container.environment ?? []).flatMap(variable =>
        variable.name ? [variable.name] : [],
      ),
    ),
  ].sort();
  const secrets = (container.secrets ?? [])
    .flatMap(secret =>
      secret.name && secret.valueFrom
        ? [secretReference(secret.name, secret.valueFrom)]
        : [],
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const summary: ContainerDefinitionSummary = {
    name: container.name ?? '',
    image: parseImageReference(container.image ?? ''),
    essential: container.essential ?? true,
    ports,
    environmentNames,
    secrets,
  };
  if (container.cpu !== undefined) {
    summary.cpu = container.cpu;
  }
  const memory = container.memory ?? container.memoryReservation;
  if (memory !== undefined) {
    summary.memory = memory;
  }
  if (container.logConfiguration?.logDriver) {
    summary.logDriver = container.logConfiguration.logDriver;
  }
  return summary;
}

/**
 * Where a secret comes from, as ECS reads `valueFrom`: a Secrets Manager
 * ARN, or an SSM parameter by ARN (named here by the parameter's name) or
 * by name.
 */
export function secretReference(
  name: string,
  valueFrom: string,
): ContainerSecretRef {
  if (/^arn:aws[a-z-]*:secretsmanager:/.test(valueFrom)) {
    return { name, source: 'secretsmanager', reference: valueFrom };
  }
  const parameter = valueFrom.match(
    /^arn:aws[a-z-]*:ssm:[^:]*:\d*:parameter(\/.+)$/,
  );
  if (parameter) {
    // A hierarchical name keeps its leading slash; a flat one has none.
    const path = parameter[1];
    const reference = path.indexOf('/', 1) > 0 ? path : path.slice(1);
    return { name, source: 'ssm', reference };
  }
  return { name, source: 'ssm', reference: valueFrom };
}

const ECR_REGISTRY =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

/**
 * Splits an image reference as Docker reads it: the first path component is
 * a registry when it has a dot or a port or is `localhost` (otherwise the
 * image is on Docker Hub, whose one-component names live under `library/`);
 * a tag follows the last `:` of the last component, a digest an `@`.
 */
export function parseImageReference(image: string): ContainerImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'docker.io' && !repository.includes('/')) {
    repository = `library/${repository}`;
  }
  const ref: ContainerImageRef = { image, registry, repository };
  if (tag !== undefined) {
    ref.tag = tag;
  } else if (digest === undefined) {
    ref.tag = 'latest';
  }
  if (digest !== undefined) {
    ref.digest = digest;
  }
  const ecr = registry.match(ECR_REGISTRY);
  if (ecr) {
    ref.ecrAccountId = ecr[1];
  }
  return ref;
}
