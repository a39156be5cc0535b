import { useMemo } from 'react';
import {
  CompoundEntityRef,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  buildServiceMatrix,
  ECS_SERVICE_NAME_ANNOTATION,
  getEcsServiceNames,
  ServiceCell,
  ServiceMatrixRow,
} from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { usePolling } from '../shared/usePolling';

/** One environment's column of the matrix, or why it is empty. */
export interface MatrixColumn {
  name: string;
  cells?: Map<string, ServiceCell>;
  error?: Error;
}

/**
 * Every service of every environment as matrix rows, worst first, polled.
 * The client reduces each environment's details to its cells (in a worker),
 * so the page holds a few numbers per service, not the snapshots.
 */
export function useServiceMatrix(
  environmentNames: string[],
  intervalMs: number,
) {
  const api = useApi(environmentsApiRef);
  const key = environmentNames.join(',');
  const state = usePolling<MatrixColumn[]>(
    () =>
      Promise.all(
        environmentNames.map(name =>
          api.getServiceCells(name).then(
            ({ read, cells }) => (read ? { name, cells } : { name }),
            (error: Error) => ({ name, error }),
          ),
        ),
      ),
    intervalMs,
    [api, key],
  );
  const rows = useMemo<ServiceMatrixRow[]>(
    () =>
      buildServiceMatrix(
        new Map(
          (state.value ?? []).flatMap(column =>
            column.cells ? [[column.name, column.cells] as const] : [],
          ),
        ),
      ),
    [state.value],
  );
  return { ...state, rows };
}

/** The catalog entity that names an ECS service, for its title and link. */
export interface ServiceOwner {
  title: string;
  entityRef: CompoundEntityRef;
}

const EMPTY_OWNERS = new Map<string, ServiceOwner>();

/**
 * The Components and Systems that name their ECS services, read once: the
 * matrix shows their titles. Without them (no catalog in the app, or no
 * access) the matrix shows service names only.
 */
export function useServiceOwners(): Map<string, ServiceOwner> {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const { value } = useAsync(async () => {
    if (!catalogApi) return EMPTY_OWNERS;
    const { items } = await catalogApi.getEntities({
      filter: [
        ECS_SERVICE_NAME_ANNOTATION,
        AMAZON_ECS_SERVICE_ARN_ANNOTATION,
      ].map(annotation => ({
        kind: ['component', 'system'],
        [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
      })),
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.annotations',
      ],
    });
    const owners = new Map<string, ServiceOwner>();
    // Components first: a system that names the same service is less specific.
    for (const entity of [...items].sort((a, b) =>
      a.kind.localeCompare(b.kind),
    )) {
      for (const serviceName of getEcsServiceNames(entity)) {
        if (!owners.has(serviceName)) {
          owners.set(serviceName, {
            title: entity.metadata.title ?? entity.metadata.name,
            entityRef: getCompoundEntityRef(entity),
          });
        }
      }
    }
    return owners;
  }, [catalogApi]);
  return value ?? EMPTY_OWNERS;
}
