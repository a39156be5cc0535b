import { Entity } from '@backstage/catalog-model';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  ECS_SERVICE_NAME_ANNOTATION,
  getEcsServiceNames,
} from '@kler/plugin-environments-common';
import { AwsEnvironment } from '../services/aws/types';

/** Which environments one ECS service name of an entity applies to. */
export interface ServiceTarget {
  appliesTo(env: AwsEnvironment | undefined): boolean;
}

export interface EcsServiceArnLocation {
  region: string;
  accountId: string;
  cluster?: string;
}

/** `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME` (or the older `service/NAME`). */
export function parseEcsServiceArn(
  arn: string,
): EcsServiceArnLocation | undefined {
  const match = arn
    .trim()
    .match(/^arn:[^:]+:ecs:([^:]*):([^:]*):service\/(?:([^/]+)\/)?[^/]+$/);
  return match
    ? { region: match[1], accountId: match[2], cluster: match[3] }
    : undefined;
}

/**
 * Which environments each service name of the entities applies to: a name from
 * `kler.io/ecs-service-name` applies to every environment (the same service runs
 * in each cluster); a service named only by its ARN applies to the environment
 * with that account, region and cluster.
 */
export function collectServiceTargets(
  entities: Entity[],
): Map<string, ServiceTarget> {
  const everywhere: ServiceTarget = { appliesTo: () => true };
  const targets = new Map<string, ServiceTarget>();
  for (const entity of entities) {
    const annotations = entity.metadata.annotations ?? {};
    const arn = annotations[AMAZON_ECS_SERVICE_ARN_ANNOTATION];
    const location =
      !annotations[ECS_SERVICE_NAME_ANNOTATION]?.trim() && arn
        ? parseEcsServiceArn(arn)
        : undefined;
    for (const serviceName of getEcsServiceNames(entity)) {
      const known = targets.get(serviceName);
      if (!location) {
        targets.set(serviceName, everywhere);
        continue;
      }
      const matchesArn = (env: AwsEnvironment | undefined) =>
        env !== undefined &&
        env.accountId === location.accountId &&
        env.region === location.region &&
        (location.cluster === undefined || env.cluster === location.cluster);
      targets.set(serviceName, {
        appliesTo: env => (known?.appliesTo(env) ?? false) || matchesArn(env),
      });
    }
  }
  return targets;
}
