// The generated scenario the benchmark reads (the sandbox's own generator, so
// that the benchmark knows the world the sandbox serves), and the backend's
// config for it.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The sandbox's generateScenario (TypeScript, through the CLI's transform). */
export function loadScenarioGenerator(repoRoot) {
  const sandboxRequire = createRequire(
    join(repoRoot, 'packages/aws-sandbox/package.json'),
  );
  sandboxRequire('@backstage/cli-node/config/nodeTransform.cjs');
  return sandboxRequire(
    join(repoRoot, 'packages/aws-sandbox/src/scenario/generate.ts'),
  ).generateScenario;
}

/**
 * The environments backend's config for a generated scenario read through
 * `endpoint`: one aws.accounts entry per account (the sandbox tells accounts
 * apart by the access key id), every environment, no catalog location, and a
 * refresh timer the benchmark never waits for (it triggers the refreshes it
 * measures).
 */
export function benchBackendConfig({ scenario, endpoint, cache = {} }) {
  return {
    backend: { listen: { host: '127.0.0.1' } },
    catalog: { locations: [] },
    aws: {
      accounts: scenario.accounts.map(account => ({
        accountId: account.id,
        accessKeyId: `SANDBOX${account.id}`,
        secretAccessKey: 'sandbox-placeholder',
      })),
    },
    environments: {
      environments: scenario.environments.map((env, i) => ({
        name: env.name,
        tier: i === 0 ? 'production' : 'development',
        accountId: env.account,
        region: env.region,
        cluster: env.cluster,
        backupVault: env.vault,
        wellArchitectedWorkloadId: env.workload?.id,
        endpoint,
      })),
      // A longer timeout than the default 60 s, so that a slow refresh is
      // measured instead of cut short.
      refresh: { frequency: { hours: 6 }, timeout: { seconds: 240 } },
      cache,
    },
  };
}

/**
 * How far ahead of the machine's clock the sandbox's clock is frozen. Every
 * read of a size sees the same world, and CloudWatch's answers come from the
 * sandbox's clock: a metric minute is published a minute after it ends, at the
 * sandbox's time. The backend asks for the last five minutes of its own clock,
 * so with the sandbox frozen at the machine's now it would find no datapoint
 * from about 2 to 3 minutes on (then it describes every target group one by
 * one: a steady refresh at 1,000 x 2 once made 2,168 DescribeTargetHealth
 * calls that way). Frozen 150 s ahead, a published minute stays inside the
 * backend's window for about 4.5 minutes, past the steady refresh of the
 * largest size.
 */
export const SANDBOX_CLOCK_AHEAD_MS = 150_000;

/** Freezes the sandbox's clock SANDBOX_CLOCK_AHEAD_MS ahead of the machine's. */
export function freezeSandboxClock(sandbox) {
  return sandbox.admin('POST', '/clock', {
    set: new Date(Date.now() + SANDBOX_CLOCK_AHEAD_MS).toISOString(),
    speed: 0,
  });
}
