import { isInterruptedApply } from './runs';

describe('isInterruptedApply', () => {
  it('is a failed apply whose message says it was interrupted', () => {
    expect(
      isInterruptedApply({
        kind: 'apply',
        outcome: 'failed',
        message: 'Interrupted: the backend running it stopped',
      }),
    ).toBe(true);
  });

  it('is not a failed apply, an apply that ended otherwise, or a plan', () => {
    expect(
      isInterruptedApply({
        kind: 'apply',
        outcome: 'failed',
        message: 'terraform apply failed (exit code 1)',
      }),
    ).toBe(false);
    expect(isInterruptedApply({ kind: 'apply', outcome: 'failed' })).toBe(
      false,
    );
    expect(
      isInterruptedApply({
        kind: 'apply',
        outcome: 'skipped',
        message: 'Interrupted: ...',
      }),
    ).toBe(false);
    expect(
      isInterruptedApply({
        kind: 'plan',
        outcome: 'failed',
        message: 'Interrupted: ...',
      }),
    ).toBe(false);
  });
});
