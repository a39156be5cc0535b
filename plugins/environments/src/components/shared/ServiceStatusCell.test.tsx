import { describeServiceCell } from './ServiceStatusCell';

const cell = {
  status: 'ok' as const,
  runningCount: 2,
  desiredCount: 2,
  pendingCount: 0,
  rolloutState: 'COMPLETED',
  atMax: false,
  problemCount: 0,
};

describe('describeServiceCell', () => {
  it('says running of desired, and nothing more when all is settled', () => {
    expect(describeServiceCell(cell)).toBe('2/2 running');
  });

  it('adds pending tasks, a rollout under way or failed, and scaling at its maximum', () => {
    expect(
      describeServiceCell({
        ...cell,
        runningCount: 1,
        desiredCount: 4,
        pendingCount: 2,
        rolloutState: 'IN_PROGRESS',
        atMax: true,
      }),
    ).toBe('1/4 running, 2 pending, rolling out, at max');
    expect(describeServiceCell({ ...cell, rolloutState: 'FAILED' })).toBe(
      '2/2 running, rollout failed',
    );
  });
});
