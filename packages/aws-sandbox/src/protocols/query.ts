import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import { toXml, escapeXml } from './wire';

/**
 * Decodes awsQuery form parameters (`Names.member.1=a`, `Filters.member.1.Name=x`)
 * into nested objects and arrays of strings.
 */
export function decodeQueryParams(
  params: URLSearchParams,
): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const raw = key.split('.');
    const path: Array<string | number> = [];
    for (let i = 0; i < raw.length; i++) {
      if (
        (raw[i] === 'member' || raw[i] === 'entry') &&
        /^\d+$/.test(raw[i + 1] ?? '')
      ) {
        path.push(Number(raw[i + 1]) - 1);
        i++;
      } else {
        path.push(raw[i]);
      }
    }
    let node: any = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = value;
      } else {
        node[segment] ??= typeof path[i + 1] === 'number' ? [] : {};
        node = node[segment];
      }
    });
  }
  return root;
}

export function queryResponse(
  operation: string,
  namespace: string,
  result: unknown,
): string {
  const requestId = randomUUID();
  return `<${operation}Response xmlns="${namespace}"><${operation}Result>${toXml(
    result ?? {},
  )}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

export function queryError(error: AwsError): string {
  return `<ErrorResponse><Error><Type>${error.fault}</Type><Code>${escapeXml(
    error.code,
  )}</Code><Message>${escapeXml(
    error.message,
  )}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
