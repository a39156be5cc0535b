import {
  decideLockRelease,
  hostOf,
  InterruptedApplyLockHolder,
  parseLockFile,
  parseLockInfo,
  TerraformLockInfo,
} from './stateLock';

/** What Terraform 1.11 printed when an S3 `use_lockfile` lock was held. */
const S3_LOCK_ERROR = `
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error
StatusCode: 412, RequestID: bOTr4O69Fn, api error PreconditionFailed: At
least one of the pre-conditions you specified did not hold
Lock Info:
  ID:        59b79c7e-ecb5-a63a-2e5d-47af5ab2d5a8
  Path:      tfstate/env/x/terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@ip-10-0-1-23
  Version:   1.11.4
  Created:   2026-12-01 22:54:40.730871074 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time.`;

describe('parseLockInfo', () => {
  it('reads the lock Terraform names when it cannot take it, with an ISO time', () => {
    expect(parseLockInfo(S3_LOCK_ERROR)).toEqual({
      id: '59b79c7e-ecb5-a63a-2e5d-47af5ab2d5a8',
      path: 'tfstate/env/x/terraform.tfstate',
      operation: 'OperationTypeApply',
      who: 'root@ip-10-0-1-23',
      version: '1.11.4',
      created: '2026-12-01T22:54:40.730Z',
    });
  });

  it('finds none in other errors', () => {
    expect(
      parseLockInfo('Error: Backend initialization required'),
    ).toBeUndefined();
  });
});

describe('parseLockFile', () => {
  it("reads the local backend's lock file", () => {
    expect(
      parseLockFile(
        '{"ID":"ae84a94b-9708-ed55-ad51-0268070ca014","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-12-01T22:53:58.920579115Z","Path":"/tmp/state/terraform.tfstate"}',
      ),
    ).toEqual({
      id: 'ae84a94b-9708-ed55-ad51-0268070ca014',
      operation: 'OperationTypeApply',
      who: 'root@vm',
      version: '1.11.4',
      created: '2026-12-01T22:53:58.920Z',
      path: '/tmp/state/terraform.tfstate',
    });
    expect(parseLockFile('')).toBeUndefined();
    expect(parseLockFile('{"truncated":')).toBeUndefined();
  });
});

describe('hostOf', () => {
  it("is the host of Terraform's user@host", () => {
    expect(hostOf('root@ip-10-0-1-23')).toBe('ip-10-0-1-23');
    expect(hostOf('@container')).toBe('container');
  });
});

describe('decideLockRelease', () => {
  const startedAt = '2026-12-01T10:00:00.000Z';
  const holder: InterruptedApplyLockHolder = {
    startedAt,
    host: 'ip-10-0-1-23',
    stoppedWithinMs: 31 * 60_000,
  };
  const lock = (overrides: Partial<TerraformLockInfo> = {}) => ({
    id: 'lock-1',
    operation: 'OperationTypeApply',
    who: 'kler@ip-10-0-1-23',
    version: '1.11.4',
    created: '2026-12-01T10:00:03.000Z',
    path: 'kler-terraform-state/environments/x/terraform.tfstate',
    ...overrides,
  });
  const at = (iso: string) => new Date(iso);

  it("releases the interrupted apply's lock at once when nothing on its host uses the state any more", () => {
    expect(
      decideLockRelease(lock(), holder, {
        hostname: 'ip-10-0-1-23',
        now: at('2026-12-01T10:02:00Z'),
        runningHere: false,
      }),
    ).toMatchObject({ action: 'release' });
  });

  it('waits while a Terraform on its host still uses the state', () => {
    expect(
      decideLockRelease(lock(), holder, {
        hostname: 'ip-10-0-1-23',
        now: at('2026-12-01T10:02:00Z'),
        runningHere: true,
      }),
    ).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('still running on this host'),
    });
  });

  it("from another host, waits for the interrupted apply's time limit, then releases", () => {
    const elsewhere = (now: string) =>
      decideLockRelease(lock(), holder, {
        hostname: 'ip-10-0-2-99',
        now: at(now),
      });
    const waiting = elsewhere('2026-12-01T10:02:00Z');
    expect(waiting).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('cannot see'),
    });
    // Its time limit counts from when it took the lock, plus a minute.
    expect(waiting.action === 'wait' && waiting.until.toISOString()).toBe(
      '2026-12-01T10:32:03.000Z',
    );
    expect(elsewhere('2026-12-01T10:32:03.000Z')).toMatchObject({
      action: 'release',
    });
  });

  it('does the same on this host when its processes cannot be looked at', () => {
    expect(
      decideLockRelease(lock(), holder, {
        hostname: 'ip-10-0-1-23',
        now: at('2026-12-01T10:02:00Z'),
      }),
    ).toMatchObject({ action: 'wait' });
  });

  it('leaves alone a lock that is not the interrupted apply’s', () => {
    const here = {
      hostname: 'ip-10-0-1-23',
      now: at('2026-12-01T12:00:00Z'),
      runningHere: false,
    };
    expect(
      decideLockRelease(lock({ operation: 'OperationTypePlan' }), holder, here),
    ).toMatchObject({
      action: 'leave',
      reason: expect.stringContaining('not an apply'),
    });
    expect(
      decideLockRelease(lock({ who: 'ci@runner-7' }), holder, here),
    ).toMatchObject({
      action: 'leave',
      reason: expect.stringContaining('another host'),
    });
    // Taken before the interrupted apply started, or well after it.
    expect(
      decideLockRelease(
        lock({ created: '2026-12-01T09:59:00.000Z' }),
        holder,
        here,
      ),
    ).toMatchObject({ action: 'leave' });
    expect(
      decideLockRelease(
        lock({ created: '2026-12-01T10:05:00.000Z' }),
        holder,
        here,
      ),
    ).toMatchObject({ action: 'leave' });
  });
});
