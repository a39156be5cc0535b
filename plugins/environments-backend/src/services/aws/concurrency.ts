import {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MiddlewareStack,
} from '@aws-sdk/types';

/**
 * Runs an AWS call once its operation may make one more call. A call whose
 * `signal` is aborted while it waits is dropped without using up a slot.
 */
export type Limiter = <T>(
  operation: string,
  task: () => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

/** A limiter that also hears of the calls AWS received that it did not start. */
export interface PacingLimiter extends Limiter {
  /**
   * Counts one more call of `operation` against its bucket, at once and
   * even past empty (the next calls wait the longer): an SDK retry, which
   * AWS's bucket counts and the limiter did not start.
   */
  charge(operation: string): void;
}

export interface LimiterOptions {
  /** Calls of one operation in flight at once. */
  concurrency: number;
  /** Calls of one operation started per second, sustained. */
  callsPerSecond: number;
  /** Calls of one operation that may start at once after a quiet spell. */
  burst: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

interface OperationQueue {
  active: number;
  tokens: number;
  refilledAt: number;
  waiting: Array<() => void>;
  timer?: ReturnType<typeof setTimeout>;
}

function requirePositive(name: string, value: number, integer: boolean) {
  if (
    typeof value !== 'number' ||
    !(value > 0) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new Error(
      `${name} must be a positive ${
        integer ? 'integer' : 'number'
      }, got ${value}`,
    );
  }
}

/** Throws an error naming the first limit that is not positive. */
export function checkLimiterOptions(options: LimiterOptions): void {
  requirePositive('Concurrency limit', options.concurrency, true);
  requirePositive('Calls per second', options.callsPerSecond, false);
  requirePositive('Burst', options.burst, true);
}

/**
 * Bounds the AWS calls of one account and region the way AWS throttles them:
 * per operation, a token bucket (`callsPerSecond` sustained, `burst` at once)
 * and at most `concurrency` calls in flight. Each operation has its own FIFO
 * queue, so a long run of one operation (say a thousand DescribeTargetHealth)
 * never holds up the pages of another.
 */
export function createLimiter(options: LimiterOptions): PacingLimiter {
  checkLimiterOptions(options);
  const { concurrency, callsPerSecond, burst } = options;
  const now = options.now ?? (() => performance.now());
  const queues = new Map<string, OperationQueue>();

  const refill = (queue: OperationQueue) => {
    const at = now();
    queue.tokens = Math.min(
      burst,
      queue.tokens + ((at - queue.refilledAt) / 1000) * callsPerSecond,
    );
    queue.refilledAt = at;
  };

  const pump = (queue: OperationQueue) => {
    refill(queue);
    while (
      queue.waiting.length > 0 &&
      queue.active < concurrency &&
      queue.tokens >= 1
    ) {
      queue.tokens -= 1;
      queue.active += 1;
      queue.waiting.shift()!();
    }
    if (
      queue.waiting.length > 0 &&
      queue.active < concurrency &&
      queue.timer === undefined
    ) {
      // Out of tokens: wake up when the next one is due.
      const waitMs = Math.ceil(((1 - queue.tokens) / callsPerSecond) * 1000);
      queue.timer = setTimeout(() => {
        queue.timer = undefined;
        pump(queue);
      }, Math.max(1, waitMs));
    }
  };

  const queueOf = (operation: string) => {
    let queue = queues.get(operation);
    if (!queue) {
      queue = { active: 0, tokens: burst, refilledAt: now(), waiting: [] };
      queues.set(operation, queue);
    }
    return queue;
  };

  const limit = async <T>(
    operation: string,
    task: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> => {
    const q = queueOf(operation);
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      // A call of a read that is aborted while it waits (a refresh past its
      // timeout) leaves the queue at once, without taking the next read's token.
      let start = () => {};
      const onAbort = () => {
        q.waiting = q.waiting.filter(waiter => waiter !== start);
        reject(signal!.reason);
      };
      start = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      q.waiting.push(start);
      pump(q);
    });
    try {
      return await task();
    } finally {
      q.active -= 1;
      pump(q);
    }
  };

  return Object.assign(limit, {
    charge(operation: string) {
      const queue = queueOf(operation);
      refill(queue);
      queue.tokens -= 1;
    },
  });
}

/** The SDK retry middleware's name, which `chargeRetries` follows. */
const RETRY_MIDDLEWARE = 'retryMiddleware';

/**
 * Charges `limiter` with each retry its clients' SDK makes: a middleware
 * right after the SDK's retry middleware, which sees every attempt with its
 * number (`amz-sdk-request: attempt=N`) and the command. The limiter paces
 * the calls it starts as AWS's bucket would; a retry is a request AWS counts
 * that it did not start, and without the charge its model of the bucket
 * runs ahead of AWS's after each throttled call, which throttles the next.
 */
export function chargeRetries(
  clients: Array<{ middlewareStack: MiddlewareStack<any, any> }>,
  limiter: PacingLimiter,
): void {
  for (const client of clients) {
    client.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<any, any>, context: HandlerExecutionContext) =>
        async (args: FinalizeHandlerArguments<any>) => {
          const request = args.request as { headers?: Record<string, string> };
          const attempt = /attempt=(\d+)/.exec(
            request.headers?.['amz-sdk-request'] ?? '',
          );
          if (attempt && Number(attempt[1]) > 1 && context.commandName) {
            limiter.charge(context.commandName.replace(/Command$/, ''));
          }
          return next(args);
        },
      {
        relation: 'after',
        toMiddleware: RETRY_MIDDLEWARE,
        name: 'klerChargeRetries',
        override: true,
      },
    );
  }
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
