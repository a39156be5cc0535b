import { ResponseError } from '@backstage/errors';
import { EnvironmentsApi } from '../api';

/**
 * An EnvironmentsApi whose every method is a jest mock, for per-test answers.
 * Runs default to none: every environment page lists them.
 */
export function createEnvironmentsApiMock(): jest.Mocked<EnvironmentsApi> {
  return {
    listEnvironments: jest.fn(),
    getEnvironment: jest.fn(),
    getEntityEnvironments: jest.fn(),
    listProblems: jest.fn(),
    listRuns: jest.fn(async (_name: string) => ({ items: [] })),
  };
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
