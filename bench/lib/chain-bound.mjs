// The lower bound of a cold read set by its longest chain of dependent calls:
// DescribeScalingPolicies returns ten policies a page and each page is asked
// for with the NextToken of the one before, so at a thousand services an
// environment's policies are a hundred round trips one after another, whatever
// the reader does around them. Measured with a lone SDK client per environment
// (the environments run side by side, as in a refresh), through the same proxy
// and latency, with the backend stopped: the time the chain takes when nothing
// else competes for the reader's event loop.
import {
  ApplicationAutoScalingClient,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';

/**
 * @param {{ endpoint: string, environments: Array<{ accountId: string, region: string }> }} options
 * @returns {Promise<{ ms: number, pages: number[] }>} from the first call to
 *   the last answer, and the pages of each environment
 */
export async function measurePolicyChain({ endpoint, environments }) {
  const started = performance.now();
  const pages = await Promise.all(
    environments.map(async ({ accountId, region }) => {
      const client = new ApplicationAutoScalingClient({
        endpoint,
        region,
        credentials: {
          accessKeyId: `SANDBOX${accountId}`,
          secretAccessKey: 'sandbox-placeholder',
        },
        maxAttempts: 5,
      });
      let count = 0;
      let NextToken;
      do {
        const page = await client.send(
          new DescribeScalingPoliciesCommand({
            ServiceNamespace: 'ecs',
            MaxResults: 10,
            NextToken,
          }),
        );
        NextToken = page.NextToken;
        count += 1;
      } while (NextToken);
      client.destroy();
      return count;
    }),
  );
  return { ms: performance.now() - started, pages };
}

/**
 * Where the time of a chain's pages went, from the counting proxy's timings
 * of each CHAIN_OPERATION call (`stats.chainCalls`): per call, AWS's side (from
 * the request reaching the proxy to its answer leaving it: the sandbox, its
 * 40 ms and the proxy's forwarding) and, between an answer and the next call
 * of the same account, the reader's side (the client taking in the page and
 * sending the next request, and waiting for a CPU to do it). Averaged over
 * every account's calls; a chain of one page per account has no reader's side.
 *
 * @param {{ chainCalls?: Record<string, Array<[number, number]>> }} stats
 * @returns {{ calls: number, awsMs: number, readerMs?: number } | undefined}
 *   mean milliseconds per call (AWS's side) and per gap (the reader's side)
 */
export function chainTurnaround(stats) {
  let calls = 0;
  let aws = 0;
  let gaps = 0;
  let reader = 0;
  for (const timings of Object.values(stats.chainCalls ?? {})) {
    const sorted = [...timings].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([received, answered], i) => {
      calls += 1;
      aws += answered - received;
      if (i > 0) {
        gaps += 1;
        reader += received - sorted[i - 1][1];
      }
    });
  }
  if (calls === 0) return undefined;
  return {
    calls,
    awsMs: aws / calls,
    readerMs: gaps > 0 ? reader / gaps : undefined,
  };
}
