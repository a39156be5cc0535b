import { ResponseError } from '@backstage/errors';
import { serviceCellsOf } from '@kler/plugin-environments-common';
import { EnvironmentsApi } from '../api';

/**
 * An EnvironmentsApi whose every method is a jest mock, for per-test answers.
 * Runs default to none: every environment page lists them.
 */
export function createEnvironmentsApiMock(): jest.Mocked<EnvironmentsApi> {
  const api: jest.Mocked<EnvironmentsApi> = {
    listEnvironments: jest.fn(),
    getEnvironment: jest.fn(),
    // What the client computes from the details: mock getEnvironment instead.
    getServiceCells: jest.fn(async (name: string) => {
      const details = await api.getEnvironment(name);
      return {
        read: Boolean(details.snapshot),
        cells: serviceCellsOf(details),
      };
    }),
    getEntityEnvironments: jest.fn(),
    listProblems: jest.fn(),
    listRuns: jest.fn(async (_name: string) => ({ items: [] })),
  };
  return api;
}

/** What the client throws when the backend answers 403 for `environments.read`. */
export function permissionDeniedError(): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name: 'NotAllowedError', message: 'Unauthorized' },
    request: { method: 'GET', url: '/api/environments/v1/environments' },
    response: { statusCode: 403 },
  });
  return ResponseError.fromResponse({
    status: 403,
    statusText: 'Forbidden',
    ok: false,
    url: 'http://localhost:7007/api/environments/v1/environments',
    headers: new Map([['content-type', 'application/json']]),
    text: async () => body,
  } as any);
}
