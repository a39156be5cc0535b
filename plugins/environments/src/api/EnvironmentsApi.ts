import { createApiRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EntityEnvironmentsResponse,
  EnvironmentArea,
  EnvironmentDetailsResponse,
  EnvironmentListResponse,
  EnvironmentRunListResponse,
  ProblemListResponse,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import { EnvironmentServiceCells } from './serviceCells';

/**
 * Which problems to list; every field is optional and narrows the list.
 *
 * @public
 */
export interface ProblemQuery {
  environment?: string;
  minSeverity?: ProblemSeverity;
  area?: EnvironmentArea;
}

/**
 * Reads environments, their problems and the per-entity view from the
 * environments backend.
 *
 * @public
 */
export interface EnvironmentsApi {
  listEnvironments(): Promise<EnvironmentListResponse>;
  getEnvironment(name: string): Promise<EnvironmentDetailsResponse>;
  /**
   * The environment's services as the on-call matrix shows them, read from
   * the same route as `getEnvironment` but reduced to a few numbers per
   * service (off the main thread where the browser can).
   */
  getServiceCells(name: string): Promise<EnvironmentServiceCells>;
  getEntityEnvironments(
    entityRef: CompoundEntityRef,
  ): Promise<EntityEnvironmentsResponse>;
  listProblems(query?: ProblemQuery): Promise<ProblemListResponse>;
  /** The environment's runs (plans, applies, drift checks), newest first. */
  listRuns(
    name: string,
    options?: { limit?: number },
  ): Promise<EnvironmentRunListResponse>;
}

/**
 * The API reference of {@link EnvironmentsApi}.
 *
 * @public
 */
export const environmentsApiRef = createApiRef<EnvironmentsApi>().with({
  id: 'plugin.environments.service',
  pluginId: 'environments',
});
