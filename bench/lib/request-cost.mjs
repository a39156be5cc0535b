// What the two costly steps of serving a snapshot cost, measured in the
// benchmark's own process on the very snapshots the backend holds: reading the
// state back from the cache (Backstage's cache is Keyv, which serializes every
// value with @keyv/serialize, even in memory) and evaluating it
// (evaluateEnvironment from @kler/plugin-environments-common). Whether a request
// pays them depends on the backend's caching; the latencies above say if it does.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function loadRequestCostProbe(repoRoot) {
  const backendDefaults = createRequire(
    createRequire(join(repoRoot, 'packages/backend/package.json')).resolve(
      '@backstage/backend-defaults/package.json',
    ),
  );
  const keyvRequire = createRequire(backendDefaults.resolve('keyv'));
  const { defaultSerialize, defaultDeserialize } =
    keyvRequire('@keyv/serialize');
  const commonRequire = createRequire(
    join(repoRoot, 'plugins/environments-common/package.json'),
  );
  commonRequire('@backstage/cli-node/config/nodeTransform.cjs');
  const { evaluateEnvironment, summarizeEvaluation } = commonRequire(
    join(repoRoot, 'plugins/environments-common/src/index.ts'),
  );

  const time = (fn, rounds) => {
    fn();
    const started = performance.now();
    for (let i = 0; i < rounds; i++) fn();
    return (performance.now() - started) / rounds;
  };

  /** Milliseconds per environment per request for each step. */
  return function measure(snapshot) {
    const state = {
      snapshot,
      stale: false,
      attemptedAt: snapshot.readAt,
      definitionKey: 'x',
    };
    const stored = defaultSerialize({ value: state, expires: null });
    const rounds = 5;
    return {
      storedBytes: Buffer.byteLength(stored),
      deserializeMs: time(() => defaultDeserialize(stored), rounds),
      evaluateMs: time(
        () => summarizeEvaluation(evaluateEnvironment(snapshot)),
        rounds,
      ),
    };
  };
}
