/** Runs a task once a slot is free; at most `limit` tasks are in flight. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A small FIFO limiter: AWS throttles per account and API, so one environment's
 * read must not start hundreds of calls at once.
 */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(
      `Concurrency limit must be a positive integer, got ${limit}`,
    );
  }
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    active -= 1;
    const next = waiting.shift();
    if (next) {
      active += 1;
      next();
    }
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < limit) {
      active += 1;
    } else {
      await new Promise<void>(resolve => waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Splits items into batches of at most `size`, for APIs that cap ids per call. */
export function chunk<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    batches.push(items.slice(i, i + size));
  }
  return batches;
}

/**
 * Follows a pagination token until the API returns none, collecting the items of
 * every page.
 */
export async function collectPages<TItem>(
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ items: TItem[] | undefined; nextToken: string | undefined }>,
): Promise<TItem[]> {
  const items: TItem[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.nextToken || undefined;
  } while (token);
  return items;
}
