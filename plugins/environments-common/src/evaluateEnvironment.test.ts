import { NOW, healthySnapshot } from './__fixtures__/snapshots';
import { evaluateEnvironment } from './evaluateEnvironment';

describe('evaluateEnvironment', () => {
  it.each(['production', 'development'] as const)(
    'finds no problem in a healthy %s snapshot',
    tier => {
      const evaluation = evaluateEnvironment(healthySnapshot(tier), {
        now: NOW,
      });
      expect(evaluation.problems).toEqual([]);
      expect(evaluation.status).toBe('ok');
    },
  );
});
