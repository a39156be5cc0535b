import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  EntityEnvironmentsResponse,
  EnvironmentDetailsResponse,
  EnvironmentListResponse,
  EnvironmentRunListResponse,
  ProblemListResponse,
} from '@kler/plugin-environments-common';
import { EnvironmentsApi, ProblemQuery } from './EnvironmentsApi';
import { EnvironmentServiceCells, serviceCellsOfJson } from './serviceCells';

/** Set once a worker failed to start here; later parses stay on the main thread. */
let workerUnavailable = false;

/** The cells of details' JSON: in a web worker where the browser has one. */
async function parseServiceCells(
  buffer: ArrayBuffer,
): Promise<EnvironmentServiceCells> {
  if (typeof Worker !== 'undefined' && !workerUnavailable) {
    try {
      const { parseInWorker } = await import('./parseInWorker');
      return await parseInWorker(buffer);
    } catch {
      workerUnavailable = true;
    }
  }
  return serviceCellsOfJson(buffer);
}

/**
 * The default {@link EnvironmentsApi}: calls the environments backend's `/v1` routes.
 *
 * @public
 */
export class EnvironmentsClient implements EnvironmentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listEnvironments(): Promise<EnvironmentListResponse> {
    return this.get('/v1/environments');
  }

  getEnvironment(name: string): Promise<EnvironmentDetailsResponse> {
    return this.get(`/v1/environments/${encodeURIComponent(name)}`);
  }

  async getServiceCells(name: string): Promise<EnvironmentServiceCells> {
    const response = await this.fetch(
      `/v1/environments/${encodeURIComponent(name)}`,
    );
    return parseServiceCells(await response.arrayBuffer());
  }

  getEntityEnvironments(
    entityRef: CompoundEntityRef,
  ): Promise<EntityEnvironmentsResponse> {
    const path = [entityRef.namespace, entityRef.kind, entityRef.name]
      .map(part => encodeURIComponent(part))
      .join('/');
    return this.get(`/v1/entity/${path}`);
  }

  listProblems(query: ProblemQuery = {}): Promise<ProblemListResponse> {
    const params = new URLSearchParams();
    if (query.environment) params.set('environment', query.environment);
    if (query.minSeverity) params.set('minSeverity', query.minSeverity);
    if (query.area) params.set('area', query.area);
    const search = params.toString();
    return this.get(`/v1/problems${search ? `?${search}` : ''}`);
  }

  listRuns(
    name: string,
    options: { limit?: number } = {},
  ): Promise<EnvironmentRunListResponse> {
    const search = options.limit ? `?limit=${options.limit}` : '';
    return this.get(
      `/v1/environments/${encodeURIComponent(name)}/runs${search}`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const response = await this.fetch(path);
    return (await response.json()) as T;
  }

  private async fetch(path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('environments');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
