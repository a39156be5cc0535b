import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import { queryError, queryResponse } from './query';
import type { ServiceDefinition } from './types';
import { stringifyJsonWire } from './wire';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function base(contentType: string): Record<string, string> {
  const requestId = randomUUID();
  return {
    'content-type': contentType,
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
  };
}

export function successResponse(
  service: ServiceDefinition,
  operation: string,
  output: unknown,
): WireResponse {
  if (service.protocol === 'query') {
    return {
      status: 200,
      headers: base('text/xml'),
      body: queryResponse(operation, service.xmlNamespace!, output),
    };
  }
  if (service.protocol === 'json') {
    return {
      status: 200,
      headers: base(`application/x-amz-json-${service.jsonVersion ?? '1.1'}`),
      body: stringifyJsonWire(output ?? {}),
    };
  }
  return {
    status: 200,
    headers: base('application/json'),
    body: stringifyJsonWire(output ?? {}),
  };
}

/** An error in the shape the service's protocol uses. */
export function errorResponse(
  service: ServiceDefinition | undefined,
  error: AwsError,
): WireResponse {
  if (!service || service.protocol === 'json') {
    const headers = base(
      `application/x-amz-json-${service?.jsonVersion ?? '1.1'}`,
    );
    if (service?.queryCompatible) {
      headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
    }
    return {
      status: error.status,
      headers,
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }
  if (service.protocol === 'query') {
    return {
      status: error.status,
      headers: base('text/xml'),
      body: queryError(error),
    };
  }
  const headers = base('application/json');
  headers['x-amzn-errortype'] = error.code;
  return {
    status: error.status,
    headers,
    body: JSON.stringify({
      Code: error.code,
      Message: error.message,
      message: error.message,
    }),
  };
}

export function unknownOperation(
  service: ServiceDefinition | undefined,
  name: string,
): AwsError {
  if (service?.protocol === 'query') {
    return new AwsError(
      'InvalidAction',
      `Could not find operation ${name} for version ${service.apiVersion}`,
    );
  }
  if (service?.protocol === 'restJson') {
    return new AwsError(
      'UnknownOperationException',
      `No operation matches ${name}`,
      404,
    );
  }
  return new AwsError('UnknownOperationException', `Unknown operation ${name}`);
}
