import { Entity } from '@backstage/catalog-model';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  ECS_SERVICE_NAME_ANNOTATION,
} from '@kler/plugin-environments-common';

const ENTITY_KINDS_WITH_SERVICES = ['component', 'system'];

/**
 * True for a Component or System that names its ECS service, with
 * `kler.io/ecs-service-name` or the Amazon ECS plugin's
 * `aws.amazon.com/amazon-ecs-service-arn`.
 *
 * @public
 */
export function isEnvironmentsAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return (
    ENTITY_KINDS_WITH_SERVICES.includes(
      entity.kind.toLocaleLowerCase('en-US'),
    ) &&
    Boolean(
      annotations[ECS_SERVICE_NAME_ANNOTATION] ||
        annotations[AMAZON_ECS_SERVICE_ARN_ANNOTATION],
    )
  );
}
