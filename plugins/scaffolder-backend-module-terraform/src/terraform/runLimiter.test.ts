import { TerraformRunLimiter } from './runLimiter';

/** A run the test ends when it wants, recording when it started. */
function controlledRun(name: string, started: string[]) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    fn: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(name),
    fail: (error: Error) => fail(error),
  };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise(resolve => setImmediate(resolve));

describe('TerraformRunLimiter', () => {
  it('runs at most maxConcurrentRuns at once; the rest start in order as slots free up', async () => {
    const limiter = new TerraformRunLimiter(2);
    const started: string[] = [];
    const onWait = jest.fn();
    const runs = ['a', 'b', 'c', 'd'].map(name => controlledRun(name, started));
    const results = runs.map(run => limiter.run(run.fn, { onWait }));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(onWait).toHaveBeenCalledTimes(2);
    expect(onWait).toHaveBeenCalledWith(2);

    runs[1].finish();
    await expect(results[1]).resolves.toBe('b');
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);

    runs[0].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);

    runs[2].finish();
    runs[3].finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);

    // All slots are free again: a new run starts at once.
    const next = controlledRun('e', started);
    const result = limiter.run(next.fn, { onWait });
    await settle();
    expect(started).toContain('e');
    expect(onWait).toHaveBeenCalledTimes(2);
    next.finish();
    await expect(result).resolves.toBe('e');
  });

  it('takes a waiter whose task is cancelled out of the queue, without giving it a slot', async () => {
    const limiter = new TerraformRunLimiter(2);
    const started: string[] = [];
    const runs = ['a', 'b', 'c', 'd'].map(name => controlledRun(name, started));
    const cancel = new AbortController();
    const results = [
      limiter.run(runs[0].fn),
      limiter.run(runs[1].fn),
      limiter.run(runs[2].fn, { signal: cancel.signal }),
      limiter.run(runs[3].fn),
    ];
    await settle();

    cancel.abort();
    await expect(results[2]).rejects.toThrow(
      'Task was cancelled while waiting to run terraform',
    );

    runs[0].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'd']);

    // The cancelled waiter took no slot: with b and d running, a new run waits.
    const onWait = jest.fn();
    const late = controlledRun('e', started);
    const lateResult = limiter.run(late.fn, { onWait });
    await settle();
    expect(onWait).toHaveBeenCalledWith(2);
    expect(started).not.toContain('e');

    runs[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'd', 'e']);
    runs[3].finish();
    late.finish();
    await expect(Promise.all([results[3], lateResult])).resolves.toEqual([
      'd',
      'e',
    ]);
    expect(started).not.toContain('c');
  });

  it('refuses at once a waiter whose task is already cancelled', async () => {
    const limiter = new TerraformRunLimiter(1);
    const started: string[] = [];
    const first = controlledRun('a', started);
    const running = limiter.run(first.fn);
    const fn = jest.fn();
    await expect(
      limiter.run(fn, { signal: AbortSignal.abort() }),
    ).rejects.toThrow('Task was cancelled while waiting to run terraform');
    expect(fn).not.toHaveBeenCalled();
    first.finish();
    await running;
  });

  it('frees the slot of a run that fails', async () => {
    const limiter = new TerraformRunLimiter(1);
    const started: string[] = [];
    const failing = controlledRun('a', started);
    const waiting = controlledRun('b', started);
    const failed = limiter.run(failing.fn);
    const next = limiter.run(waiting.fn);
    await settle();
    expect(started).toEqual(['a']);

    failing.fail(new Error('terraform exited with 1'));
    await expect(failed).rejects.toThrow('terraform exited with 1');
    await settle();
    expect(started).toEqual(['a', 'b']);
    waiting.finish();
    await expect(next).resolves.toBe('b');

    // A synchronous throw frees it too.
    await expect(
      limiter.run(() => {
        throw new Error('spawn failed');
      }),
    ).rejects.toThrow('spawn failed');
    const onWait = jest.fn();
    await expect(limiter.run(async () => 'c', { onWait })).resolves.toBe('c');
    expect(onWait).not.toHaveBeenCalled();
  });

  it('never exceeds its limit under many runs', async () => {
    const limiter = new TerraformRunLimiter(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        limiter.run(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise(resolve => setTimeout(resolve, i % 4));
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});
