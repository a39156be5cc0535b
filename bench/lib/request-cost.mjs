// Where the time of one warm GET goes, measured in the benchmark's own process on
// the very snapshots the backend holds: the cache round trip (the backend's cache
// is Keyv, which serializes every value with @keyv/serialize, also in memory) and
// the evaluation (evaluateEnvironment from @kler/plugin-environments-common), both
// of which the backend does again on every request.
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
