import { JsonValue } from '@backstage/types';
import { ApplyAttemptRecord, ApplyAttempts, Checkpoint } from './applyAttempts';

/**
 * The scaffolder's checkpoints, as NunjucksWorkflowRunner keeps them: a run
 * of a step sees the values stored when it began; a value is stored when its
 * function returns, a throwing function marks the key failed.
 */
function scaffolderCheckpoints() {
  const stored = new Map<
    string,
    { status: 'success'; value: JsonValue } | { status: 'failed' }
  >();
  return {
    stored,
    /** One run of the step. */
    run(): Checkpoint {
      const seen = new Map(stored);
      return (async ({ key, fn }) => {
        const previous = seen.get(key);
        if (previous?.status === 'success') return previous.value;
        try {
          const value = await fn();
          stored.set(key, { status: 'success', value: value ?? {} });
          return value;
        } catch (error) {
          stored.set(key, { status: 'failed' });
          throw error;
        }
      }) as Checkpoint;
    },
  };
}

const SHA = 'a'.repeat(64);
const record: Omit<ApplyAttemptRecord, 'attempt' | 'startedAt'> = {
  host: 'ip-10-0-1-23',
  stoppedWithinMs: 60_000,
  target: {
    accountId: '111111111111',
    region: 'eu-west-1',
    tier: 'development',
  },
  state: {
    type: 's3',
    config: { bucket: 'state', key: 'environments/x/terraform.tfstate' },
  },
  changes: [['terraform_data.first', 'add']],
  summary: '1 to add, 0 to change, 0 to destroy, 0 to replace',
};

describe('ApplyAttempts', () => {
  it('finds nothing in a first run, and stores nothing by looking', async () => {
    const checkpoints = scaffolderCheckpoints();
    const attempts = new ApplyAttempts(checkpoints.run(), SHA);
    await expect(attempts.findInterrupted()).resolves.toBeUndefined();
    expect(
      [...checkpoints.stored.values()].some(v => v.status === 'success'),
    ).toBe(false);
  });

  it('finds an attempt that started and never ended: its backend died', async () => {
    const checkpoints = scaffolderCheckpoints();
    const first = new ApplyAttempts(checkpoints.run(), SHA);
    await first.findInterrupted();
    await first.start(record);
    // ...killed here, before Terraform answered.

    const recovered = new ApplyAttempts(checkpoints.run(), SHA);
    await expect(recovered.findInterrupted()).resolves.toEqual({
      ...record,
      attempt: expect.any(String),
      startedAt: expect.any(String),
    });
  });

  it('finds none after an apply that ended, failed or applied, and keeps each retry apart', async () => {
    const checkpoints = scaffolderCheckpoints();
    const first = new ApplyAttempts(checkpoints.run(), SHA);
    await first.findInterrupted();
    await first.start(record);
    await first.end('failed');

    // The task is retried: a new attempt, recorded after the first.
    const retry = new ApplyAttempts(checkpoints.run(), SHA);
    await expect(retry.findInterrupted()).resolves.toBeUndefined();
    await retry.start({ ...record, host: 'ip-10-0-2-99' });
    // ...and this one is interrupted.

    const recovered = new ApplyAttempts(checkpoints.run(), SHA);
    await expect(recovered.findInterrupted()).resolves.toMatchObject({
      host: 'ip-10-0-2-99',
    });
  });
});
