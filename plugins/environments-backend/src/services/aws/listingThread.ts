import {
  ApplicationAutoScalingClient,
  ScalingPolicy as AwsScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { Worker } from 'node:worker_threads';

/** How AWS answered the attempts of a listing, as AwsCallMetrics counts them. */
export interface ListingAttempts {
  success: number;
  throttled: number;
  error: number;
}

export interface ListingThreadOptions {
  /** The limiter's sustained rate and burst, per account, region and operation. */
  callsPerSecond: number;
  burst: number;
  /** Socket timeout of a single HTTP request. */
  timeoutMs: number;
  /** Hears the attempts of each listing, for the AWS call metrics. */
  onAttempts?: (operation: string, attempts: ListingAttempts) => void;
  /**
   * How long the thread stays after its last listing (default a minute):
   * listings come with configuration reads, every ten minutes or so, and an
   * idle thread would keep its own heap all that time.
   */
  idleMs?: number;
}

/** Default of ListingThreadOptions.idleMs. */
export const LISTING_THREAD_IDLE_MS = 60_000;

/** What the main thread asks of the listing thread. */
type Request =
  | {
      type: 'list';
      id: number;
      /** The limiter's key: account, region and endpoint. */
      key: string;
      client: {
        region: string;
        endpoint?: string;
        credentials: {
          accessKeyId: string;
          secretAccessKey: string;
          sessionToken?: string;
        };
        maxAttempts: number;
        retryMode: string;
      };
    }
  | { type: 'cancel'; id: number };

/** What the listing thread answers: the policies or the error, and the attempts. */
type Answer = {
  id: number;
  attempts: ListingAttempts;
  policies?: AwsScalingPolicy[];
  error?: { name: string; message: string; httpStatusCode?: number };
};

/**
 * The listing thread's code, CommonJS run with `eval`: it is shipped inside
 * the plugin's bundle whatever builds it (the Backstage CLI, esbuild), and it
 * loads the SDK from the paths the main thread resolved.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const sdk = require(workerData.paths.applicationAutoScaling);
const { NodeHttpHandler } = require(workerData.paths.httpHandler);
const { isThrottlingError } = require(workerData.paths.retry);
const { callsPerSecond, burst, timeoutMs } = workerData;

// The limiter's token bucket of DescribeScalingPolicies, per account, region
// and endpoint: the reader makes that call nowhere else.
const buckets = new Map();
async function takeToken(key, signal) {
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { tokens: burst, at: Date.now() };
    buckets.set(key, bucket);
  }
  for (;;) {
    const now = Date.now();
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * callsPerSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    await new Promise(resolve => setTimeout(resolve, Math.ceil(((1 - bucket.tokens) / callsPerSecond) * 1000)));
    if (signal.aborted) throw signal.reason;
  }
}

// An SDK retry is a call AWS counts that the bucket did not start: it is
// charged at once, even past empty, as the limiter charges the main
// thread's retries (chargeRetries).
function chargeToken(key) {
  const bucket = buckets.get(key);
  if (bucket) bucket.tokens -= 1;
}

const running = new Map();
async function list({ id, key, client: settings }) {
  const controller = new AbortController();
  running.set(id, controller);
  const attempts = { success: 0, throttled: 0, error: 0 };
  const client = new sdk.ApplicationAutoScalingClient({
    ...settings,
    requestHandler: new NodeHttpHandler({ connectionTimeout: timeoutMs, requestTimeout: timeoutMs }),
  });
  client.middlewareStack.add(next => async args => {
    const attempt = /attempt=(\d+)/.exec((args.request && args.request.headers && args.request.headers['amz-sdk-request']) || '');
    if (attempt && Number(attempt[1]) > 1) chargeToken(key);
    try {
      const result = await next(args);
      attempts.success += 1;
      return result;
    } catch (error) {
      attempts[isThrottlingError(error) ? 'throttled' : 'error'] += 1;
      throw error;
    }
  }, { step: 'deserialize', priority: 'high', name: 'klerListingAttempts' });
  try {
    const policies = [];
    let NextToken;
    do {
      await takeToken(key, controller.signal);
      const page = await client.send(
        new sdk.DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', MaxResults: 10, NextToken }),
        { abortSignal: controller.signal },
      );
      policies.push(...(page.ScalingPolicies || []));
      NextToken = page.NextToken;
    } while (NextToken);
    parentPort.postMessage({ id, attempts, policies });
  } catch (error) {
    parentPort.postMessage({
      id,
      attempts,
      error: {
        name: (error && error.name) || 'Error',
        message: (error && error.message) || String(error),
        httpStatusCode: error && error.$metadata && error.$metadata.httpStatusCode,
      },
    });
  } finally {
    running.delete(id);
    client.destroy();
  }
}

parentPort.on('message', request => {
  if (request.type === 'list') list(request);
  else if (request.type === 'cancel') running.get(request.id)?.abort();
});
`;

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : Object.assign(new Error('The read was aborted'), { name: 'AbortError' });
}

/**
 * Runs the read's longest chain of dependent calls on a thread of its own.
 *
 * DescribeScalingPolicies returns ten policies a page and each page is asked
 * for with the token of the one before: at a thousand services an
 * environment's policies are a hundred round trips one after another, and
 * they end the cold refresh. On the main thread each page's answer waits
 * for the event loop, which the same refresh keeps busy parsing thousands of
 * tasks and services, and each next call leaves late (in the benchmark at
 * 1,000 x 2, 5 to 11 ms a page, half a second to a second in all). Here the
 * pages follow one another on an event loop that does nothing else; the
 * policies come back in one message.
 *
 * The thread keeps the limiter's token bucket for DescribeScalingPolicies
 * (same rate and burst, per account, region and endpoint; the reader makes
 * that call nowhere else; an SDK retry charged to it, as `chargeRetries`
 * charges the main thread's) and counts each attempt for the AWS call
 * metrics.
 * It gets the client's settings and credentials from the main thread's
 * client for each listing and keeps nothing between listings but the
 * buckets. It starts with a listing and stops a minute after the last one
 * (`idleMs`): a thread costs a heap of its own (about 10 MB with the SDK
 * loaded, 30 MB of resident memory), which a listing every ten minutes does
 * not need to keep. It never keeps the process alive, and is started again if
 * it dies.
 */
export class ListingThread {
  private worker?: Worker;
  private idleTimer?: ReturnType<typeof setTimeout>;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (error: Error) => void }
  >();

  constructor(private readonly options: ListingThreadOptions) {}

  /** Every policy of the ECS namespace, listed with the client's settings. */
  async listScalingPolicies(
    client: ApplicationAutoScalingClient,
    key: string,
    signal?: AbortSignal,
  ): Promise<AwsScalingPolicy[]> {
    if (signal?.aborted) {
      throw abortError(signal);
    }
    const id = this.nextId++;
    const request: Request = {
      type: 'list',
      id,
      key,
      client: await clientSettings(client),
    };
    // Aborted while the settings were read: the listener below would never hear it.
    if (signal?.aborted) {
      throw abortError(signal);
    }
    const worker = this.start();
    const answer = await new Promise<Answer>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        worker.postMessage({ type: 'cancel', id } satisfies Request);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: value => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: error => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      worker.postMessage(request);
    }).finally(() => this.stopWhenIdle());
    this.options.onAttempts?.('DescribeScalingPolicies', answer.attempts);
    if (answer.error) {
      throw Object.assign(new Error(answer.error.message), {
        name: answer.error.name,
        $metadata: { httpStatusCode: answer.error.httpStatusCode },
      });
    }
    return answer.policies ?? [];
  }

  /** Whether the thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the thread; listings still running fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private stopWhenIdle() {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0) {
      return;
    }
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) {
        this.close();
      }
    }, this.options.idleMs ?? LISTING_THREAD_IDLE_MS);
    this.idleTimer.unref?.();
  }

  private start(): Worker {
    clearTimeout(this.idleTimer);
    if (this.worker) {
      return this.worker;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        paths: {
          applicationAutoScaling: require.resolve(
            '@aws-sdk/client-application-auto-scaling',
          ),
          httpHandler: require.resolve('@smithy/node-http-handler'),
          retry: require.resolve('@smithy/core/retry'),
        },
        callsPerSecond: this.options.callsPerSecond,
        burst: this.options.burst,
        timeoutMs: this.options.timeoutMs,
      },
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      waiting?.resolve(answer);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) {
        this.worker = undefined;
      }
      for (const waiting of this.pending.values()) {
        waiting.reject(error);
      }
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', code =>
      fail(new Error(`The AWS listing thread stopped (exit code ${code})`)),
    );
    this.worker = worker;
    return worker;
  }
}

/** The settings and credentials of the main thread's client, as plain data. */
async function clientSettings(client: ApplicationAutoScalingClient) {
  const config = client.config;
  const credentials = await config.credentials();
  const endpoint = config.isCustomEndpoint
    ? await config.endpoint?.()
    : undefined;
  return {
    region: await config.region(),
    endpoint: endpoint
      ? `${endpoint.protocol}//${endpoint.hostname}${
          endpoint.port ? `:${endpoint.port}` : ''
        }${endpoint.path ?? ''}`
      : undefined,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
    maxAttempts: await config.maxAttempts(),
    retryMode:
      typeof config.retryMode === 'string'
        ? config.retryMode
        : await config.retryMode(),
  };
}
