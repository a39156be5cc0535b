import { EnvironmentEvaluation } from '@kler/plugin-environments-common';
import { EvaluationCache } from './EvaluationCache';

const evaluation = (at: Date): EnvironmentEvaluation => ({
  environment: `at ${at.toISOString()}`,
  status: 'ok',
  areas: {
    health: 'ok',
    scaling: 'ok',
    backup: 'ok',
    wellArchitected: 'ok',
    workload: 'ok',
    provisioning: 'ok',
  },
  services: [],
  problems: [],
});

describe('EvaluationCache', () => {
  it('reuses an evaluation of the same inputs for reuseMs, and versions each', () => {
    let now = 0;
    const cache = new EvaluationCache({
      enabled: true,
      reuseMs: 15_000,
      now: () => now,
    });
    const evaluate = jest.fn(evaluation);

    const first = cache.get('production', 'state-1|run-1', evaluate);
    now = 14_999;
    expect(cache.get('production', 'state-1|run-1', evaluate)).toBe(first);
    expect(evaluate).toHaveBeenCalledTimes(1);

    const changed = cache.get('production', 'state-2|run-1', evaluate);
    expect(changed.version).not.toBe(first.version);
    now = 30_000;
    const later = cache.get('production', 'state-2|run-1', evaluate);
    expect(later.version).not.toBe(changed.version);
    expect(later.summary.status).toBe('ok');
    expect(evaluate).toHaveBeenCalledTimes(3);
  });

  it('evaluates every time when switched off, and forgets removed environments', () => {
    const off = new EvaluationCache({ enabled: false, reuseMs: 15_000 });
    const evaluate = jest.fn(evaluation);
    off.get('production', 'same', evaluate);
    off.get('production', 'same', evaluate);
    expect(evaluate).toHaveBeenCalledTimes(2);

    const on = new EvaluationCache({ enabled: true, reuseMs: 15_000 });
    on.get('production', 'same', evaluate);
    on.retainOnly(new Set(['development']));
    on.get('production', 'same', evaluate);
    expect(evaluate).toHaveBeenCalledTimes(4);
  });
});
