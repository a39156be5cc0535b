import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  ECS_SERVICE_NAME_ANNOTATION,
  EntityEnvironmentsResponse,
} from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { isEnvironmentsAvailable } from '../../filters';
import {
  ENTITY_REFRESH_INTERVAL_MS,
  PolledState,
  usePolling,
} from './usePolling';

/**
 * The current entity's services in every environment, polled; `available` is
 * false when the entity names no ECS service.
 */
export function useEntityEnvironments(refreshIntervalMs?: number): {
  available: boolean;
  state: PolledState<EntityEnvironmentsResponse | undefined>;
} {
  const { entity } = useEntity();
  const api = useApi(environmentsApiRef);
  const available = isEnvironmentsAvailable(entity);
  const entityRef = getCompoundEntityRef(entity);
  const state = usePolling(
    () =>
      available
        ? api.getEntityEnvironments(entityRef)
        : Promise.resolve(undefined),
    refreshIntervalMs ?? ENTITY_REFRESH_INTERVAL_MS,
    [api, available, entityRef.namespace, entityRef.kind, entityRef.name],
  );
  return { available, state };
}

/** What an entity without an ECS service annotation shows. */
export const MissingEcsServiceAnnotation = () => (
  <MissingAnnotationEmptyState
    annotation={[
      ECS_SERVICE_NAME_ANNOTATION,
      AMAZON_ECS_SERVICE_ARN_ANNOTATION,
    ]}
  />
);
