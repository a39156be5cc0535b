import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../errors';
import { decodeQueryParams } from './query';
import type { RestRoute, ServiceDefinition } from './types';

export interface ParsedRequest {
  service: ServiceDefinition;
  /** Empty when the service has no such operation. */
  operation: string;
  input: unknown;
}

interface RawRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Credential scope of a SigV4 Authorization header. */
export function credentialScope(authorization: string | undefined) {
  const match =
    /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      authorization ?? '',
    );
  if (!match) return undefined;
  return { accessKeyId: match[1], region: match[3], service: match[4] };
}

function matchRoute(route: RestRoute, method: string, path: string) {
  if (route.method !== method) return undefined;
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}/?$`).exec(path);
  if (!match) return undefined;
  return Object.fromEntries(
    names.map((name, i) => [name, decodeURIComponent(match[i + 1])]),
  );
}

function parseJson(body: string) {
  if (!body.trim()) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new AwsError(
      'SerializationException',
      'Could not parse the request body as JSON',
    );
  }
}

/**
 * Works out which service and operation a request is for: by X-Amz-Target,
 * then the SigV4 scope's service name, then the URL path.
 */
export function parseRequest(
  request: RawRequest,
  services: ServiceDefinition[],
): ParsedRequest | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, operation] = target.split('.');
    const service = services.find(s => s.targetPrefix === prefix);
    if (!service) return undefined;
    return {
      service,
      operation: service.operations[operation] ? operation : '',
      input: parseJson(request.body),
    };
  }
  const scope = credentialScope(request.headers.authorization);
  const path = request.url.pathname;
  const byScope = scope && services.find(s => s.id === scope.service);
  const isQuery = (request.headers['content-type'] ?? '').includes(
    'application/x-www-form-urlencoded',
  );
  let service = byScope;
  if (!service && isQuery) {
    const version = new URLSearchParams(request.body).get('Version');
    service = services.find(
      s => s.protocol === 'query' && s.apiVersion === version,
    );
  }
  if (!service) {
    service = services.find(s =>
      s.routes?.some(route => matchRoute(route, request.method, path)),
    );
  }
  if (!service) return undefined;

  if (service.protocol === 'query') {
    const params = new URLSearchParams(
      request.method === 'GET' ? request.url.search : request.body,
    );
    const action = params.get('Action') ?? '';
    return {
      service,
      operation: service.operations[action] ? action : '',
      input: { ...decodeQueryParams(params), Action: action },
    };
  }
  if (service.protocol === 'restJson') {
    for (const route of service.routes ?? []) {
      const labels = matchRoute(route, request.method, path);
      if (labels) {
        return {
          service,
          operation: route.operation,
          input: {
            path: labels,
            query: request.url.searchParams,
            body: parseJson(request.body),
          },
        };
      }
    }
    return { service, operation: '', input: {} };
  }
  return { service, operation: '', input: {} };
}
