import { mockApis } from '@backstage/frontend-test-utils';
import {
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
} from '../testing/fixtures';
import { EnvironmentsClient } from './EnvironmentsClient';

describe('EnvironmentsClient', () => {
  const discoveryApi = mockApis.discovery({
    baseUrl: 'http://backend.test',
  });

  function clientAnswering(status: number, body: unknown) {
    const fetch = jest.fn(
      async (_input: RequestInfo | URL, _init?: RequestInit) =>
        ({
          ok: status < 400,
          status,
          statusText: status < 400 ? 'OK' : 'Forbidden',
          url: 'http://backend.test',
          headers: new Map([['content-type', 'application/json']]),
          json: async () => body,
          arrayBuffer: async () =>
            new TextEncoder().encode(JSON.stringify(body)).buffer,
          text: async () => JSON.stringify(body),
        } as unknown as Response),
    );
    return {
      fetch,
      client: new EnvironmentsClient({ discoveryApi, fetchApi: { fetch } }),
    };
  }

  it('reads the environment list from the versioned route', async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    await expect(client.listEnvironments()).resolves.toEqual({ items: [] });
    expect(fetch).toHaveBeenCalledWith(
      'http://backend.test/api/environments/v1/environments',
    );
  });

  it('encodes the entity ref into the path', async () => {
    const { client, fetch } = clientAnswering(200, { environments: [] });
    await client.getEntityEnvironments({
      namespace: 'default',
      kind: 'Component',
      name: 'shop api',
    });
    expect(fetch).toHaveBeenCalledWith(
      'http://backend.test/api/environments/v1/entity/default/Component/shop%20api',
    );
  });

  it('passes only the problem filters that are set', async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    await client.listProblems({ environment: 'production', area: 'backup' });
    await client.listProblems();
    expect(fetch.mock.calls.map(call => call[0])).toEqual([
      'http://backend.test/api/environments/v1/problems?environment=production&area=backup',
      'http://backend.test/api/environments/v1/problems',
    ]);
  });

  it("reads an environment's runs, with a limit when given", async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    await client.listRuns('prod eu', { limit: 10 });
    await client.listRuns('production');
    expect(fetch.mock.calls.map(call => call[0])).toEqual([
      'http://backend.test/api/environments/v1/environments/prod%20eu/runs?limit=10',
      'http://backend.test/api/environments/v1/environments/production/runs',
    ]);
  });

  it("reduces an environment's details to the matrix cells of its services", async () => {
    const details = makeEnvironmentDetails(healthyProduction, [
      makeService('shop-api', { desiredCount: 3, runningCount: 1 }),
    ]);
    const { client, fetch } = clientAnswering(200, details);
    const { read, cells } = await client.getServiceCells('production');
    expect(fetch).toHaveBeenCalledWith(
      'http://backend.test/api/environments/v1/environments/production',
    );
    expect(read).toBe(true);
    expect(cells.get('shop-api')).toMatchObject({
      runningCount: 1,
      desiredCount: 3,
      status: 'ok',
    });
  });

  it('says when an environment has no snapshot to show cells of', async () => {
    const { client } = clientAnswering(200, { summary: healthyProduction });
    await expect(client.getServiceCells('production')).resolves.toEqual({
      read: false,
      cells: new Map(),
    });
  });

  it('throws a ResponseError carrying the status code', async () => {
    const { client } = clientAnswering(403, {
      error: { name: 'NotAllowedError', message: 'Unauthorized' },
      request: { method: 'GET', url: '/v1/environments/production' },
      response: { statusCode: 403 },
    });
    await expect(client.getEnvironment('production')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });
});
