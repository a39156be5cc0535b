import { AwsError } from '../errors';

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
  /** Error code the service uses for bad parameters. */
  errorCode: string;
  sizeName?: string;
  tokenName?: string;
}

function encodeToken(offset: number, total: number): string {
  return Buffer.from(JSON.stringify({ offset, total })).toString('base64');
}

function decodeToken(token: string, limits: PageLimits): number {
  try {
    const { offset } = JSON.parse(
      Buffer.from(token, 'base64').toString('utf8'),
    );
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // answered below as AWS does
  }
  throw new AwsError(
    limits.errorCode,
    `Invalid ${limits.tokenName ?? 'NextToken'}: ${token}`,
  );
}

/** One page of items and the token for the next, with AWS's size limits. */
export function paginate<T>(
  items: T[],
  token: string | undefined | null,
  size: number | string | undefined | null,
  limits: PageLimits,
): { page: T[]; nextToken?: string } {
  let pageSize = limits.defaultSize;
  if (size !== undefined && size !== null && size !== '') {
    pageSize = Number(size);
    if (
      !Number.isInteger(pageSize) ||
      pageSize < 1 ||
      pageSize > limits.maxSize
    ) {
      throw new AwsError(
        limits.errorCode,
        `${limits.sizeName ?? 'MaxResults'} must be between 1 and ${
          limits.maxSize
        }, got ${size}`,
      );
    }
  }
  const offset = token ? decodeToken(token, limits) : 0;
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return {
    page,
    nextToken:
      next < items.length ? encodeToken(next, items.length) : undefined,
  };
}

export function requireArray<T>(
  value: T[] | undefined,
  name: string,
  max: number,
  errorCode: string,
  message?: string,
): T[] {
  const list = value ?? [];
  if (!Array.isArray(list)) {
    throw new AwsError(errorCode, `${name} must be a list`);
  }
  if (list.length > max) {
    throw new AwsError(
      errorCode,
      message ?? `${name} can have at most ${max} members, got ${list.length}`,
    );
  }
  return list;
}
