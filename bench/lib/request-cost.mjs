// What the two costly steps of serving a snapshot cost, measured in the
// benchmark's own process on the very snapshots the backend holds: reading the
// state back from the cache (Backstage's cache is Keyv, which serializes every
// value with @keyv/serialize, even in memory) and evaluating it
// (evaluateEnvironment from @kler/plugin-environments-common). Whether a request
// pays them depends on the backend's caching; the latencies above say if it does.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

  /**
   * What the plugin keeps per environment at this size, in bytes: the snapshot
   * as objects (its local copy), the snapshot serialized (what Backstage's memory
   * cache holds; a one-byte string costs a byte per character) and its evaluation.
   * Heap deltas around copies of the snapshots, after full garbage collections.
   */
  function retained(snapshots) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    const heapUsed = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heapUsed();
    const copies = snapshots.map(snapshot => structuredClone(snapshot));
    const withObjects = heapUsed();
    const evaluations = copies.map(snapshot => evaluateEnvironment(snapshot));
    const withEvaluations = heapUsed();
    const serializedBytes = copies.reduce(
      (sum, snapshot) =>
        sum +
        Buffer.byteLength(
          defaultSerialize({ value: { snapshot }, expires: null }),
        ),
      0,
    );
    return {
      objectsBytes: withObjects - before,
      evaluationsBytes: withEvaluations - withObjects,
      serializedBytes,
      // Keeps the copies alive until every figure is read.
      environments: Math.min(copies.length, evaluations.length),
    };
  }

  /** Milliseconds per environment per request for each step. */
  function measure(snapshot) {
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
  }

  return { measure, retained };
}
