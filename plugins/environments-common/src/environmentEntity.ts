import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  ECS_SERVICE_NAME_ANNOTATION,
  ENVIRONMENT_ANNOTATIONS,
  ENVIRONMENT_RESOURCE_TYPE,
} from './annotations';
import { EnvironmentDefinition, EnvironmentTier } from './types';

const ACCOUNT_ID_PATTERN = /^\d{12}$/;
// Partition prefixes like us-gov- and cn- follow the same shape.
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// ECS: up to 255 letters, numbers, underscores and hyphens.
const ECS_CLUSTER_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
// AWS Backup: 2 to 50 letters, numbers, hyphens and underscores.
const BACKUP_VAULT_PATTERN = /^[A-Za-z0-9_-]{2,50}$/;
const TIERS: EnvironmentTier[] = ['development', 'production'];

/**
 * True for a catalog `Resource` of `spec.type: environment`, compared without
 * regard to case as the catalog's filter `kind=resource,spec.type=environment`
 * compares them: whatever that filter lists is an environment here too.
 *
 * @public
 */
export function isEnvironmentEntity(entity: Entity): boolean {
  const type: unknown = entity.spec?.type;
  const types = Array.isArray(type) ? type : [type];
  return (
    entity.kind.toLowerCase() === 'resource' &&
    types.some(t => String(t).toLowerCase() === ENVIRONMENT_RESOURCE_TYPE)
  );
}

/**
 * Reads an environment's AWS location from the annotations of its catalog
 * `Resource`. Throws an Error naming the annotation when one is missing or invalid.
 *
 * @public
 */
export function readEnvironmentFromEntity(
  entity: Entity,
): EnvironmentDefinition {
  const entityRef = stringifyEntityRef(entity);
  const annotations = entity.metadata.annotations ?? {};

  const optional = (annotation: string): string | undefined => {
    const value = annotations[annotation]?.trim();
    return value ? value : undefined;
  };
  const required = (annotation: string): string => {
    const value = optional(annotation);
    if (value === undefined) {
      throw new Error(
        `Environment ${entityRef} is missing the annotation ${annotation}`,
      );
    }
    return value;
  };
  const invalid = (annotation: string, value: string, expected: string) =>
    new Error(
      `Environment ${entityRef} has an invalid annotation ${annotation}: "${value}" is not ${expected}`,
    );

  const accountId = required(ENVIRONMENT_ANNOTATIONS.accountId);
  if (!ACCOUNT_ID_PATTERN.test(accountId)) {
    throw invalid(
      ENVIRONMENT_ANNOTATIONS.accountId,
      accountId,
      'a 12-digit AWS account id',
    );
  }

  const region = required(ENVIRONMENT_ANNOTATIONS.region);
  if (!REGION_PATTERN.test(region)) {
    throw invalid(
      ENVIRONMENT_ANNOTATIONS.region,
      region,
      'an AWS region such as eu-west-1',
    );
  }

  const cluster = required(ENVIRONMENT_ANNOTATIONS.ecsCluster);
  if (!ECS_CLUSTER_PATTERN.test(cluster)) {
    throw invalid(
      ENVIRONMENT_ANNOTATIONS.ecsCluster,
      cluster,
      'an ECS cluster name (1 to 255 letters, numbers, hyphens and underscores)',
    );
  }

  const tierAnnotation = optional(ENVIRONMENT_ANNOTATIONS.tier);
  let tier: EnvironmentTier;
  if (tierAnnotation === undefined) {
    tier =
      entity.spec?.lifecycle === 'production' ? 'production' : 'development';
  } else if ((TIERS as string[]).includes(tierAnnotation)) {
    tier = tierAnnotation as EnvironmentTier;
  } else {
    throw invalid(
      ENVIRONMENT_ANNOTATIONS.tier,
      tierAnnotation,
      `one of ${TIERS.join(', ')}`,
    );
  }

  const backupVault = optional(ENVIRONMENT_ANNOTATIONS.backupVault);
  if (backupVault !== undefined && !BACKUP_VAULT_PATTERN.test(backupVault)) {
    throw invalid(
      ENVIRONMENT_ANNOTATIONS.backupVault,
      backupVault,
      'an AWS Backup vault name (2 to 50 letters, numbers, hyphens and underscores)',
    );
  }

  const wellArchitectedWorkloadId = optional(
    ENVIRONMENT_ANNOTATIONS.wellArchitectedWorkloadId,
  );

  const definition: EnvironmentDefinition = {
    name: entity.metadata.name,
    tier,
    accountId,
    region,
    cluster,
    entityRef,
  };
  if (entity.metadata.title) {
    definition.title = entity.metadata.title;
  }
  if (backupVault) {
    definition.backupVault = backupVault;
  }
  if (wellArchitectedWorkloadId) {
    definition.wellArchitectedWorkloadId = wellArchitectedWorkloadId;
  }
  return definition;
}

/**
 * The ECS service names an entity maps to: the comma-separated
 * `kler.io/ecs-service-name`, or else the service of the Amazon ECS plugin's
 * `aws.amazon.com/amazon-ecs-service-arn`. Empty when the entity has neither.
 *
 * @public
 */
export function getEcsServiceNames(entity: Entity): string[] {
  const annotations = entity.metadata.annotations ?? {};
  const names = (annotations[ECS_SERVICE_NAME_ANNOTATION] ?? '')
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  if (names.length > 0) {
    return [...new Set(names)];
  }
  const arn = annotations[AMAZON_ECS_SERVICE_ARN_ANNOTATION]?.trim();
  // Both ARN formats end in the service name:
  // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME and the older .../service/NAME.
  const match = arn?.match(
    /^arn:[^:]+:ecs:[^:]*:[^:]*:service\/(?:[^/]+\/)?([^/]+)$/,
  );
  return match ? [match[1]] : [];
}
