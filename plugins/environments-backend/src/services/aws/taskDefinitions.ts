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
import { Descriptions } from '../../caches/AwsReadMemory';
import { ReadContext } from './types';

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

/**
 * Describes the task definitions in use, each once: a task definition never
 * changes under its ARN, so one described before is reused for as long as a
 * deployment uses it, and forgotten when none does. A definition that cannot
 * be described is left out and its failure given to `onFailure`.
 */
export async function readTaskDefinitions(
  { clients, limit, sendOptions }: ReadContext,
  arns: string[],
  known: Descriptions<TaskDefinitionSummary>,
  onFailure: (arn: string, error: unknown) => void,
): Promise<Map<string, TaskDefinitionSummary>> {
  const described = await Promise.all(
    arns.map(async arn => {
      const reused = known.get(arn);
      if (reused) {
        return reused;
      }
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
        return summary;
      } catch (error) {
        onFailure(arn, error);
        return undefined;
      }
    }),
  );
  known.retainOnly(arns);
  return new Map(
    described.flatMap(summary =>
      summary ? [[summary.taskDefinitionArn, summary] as const] : [],
    ),
  );
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
