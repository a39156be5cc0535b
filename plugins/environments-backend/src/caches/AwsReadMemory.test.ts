import { AwsReadMemory } from './AwsReadMemory';

function memory(
  options: Partial<ConstructorParameters<typeof AwsReadMemory>[0]> = {},
) {
  const clock = { now: 0 };
  return {
    clock,
    memory: new AwsReadMemory({
      configuration: true,
      descriptions: true,
      configurationMaxAgeMs: 100,
      now: () => clock.now,
      ...options,
    }),
  };
}

describe('AwsReadMemory', () => {
  it('reuses a configuration part until it is due or changed', async () => {
    const { memory: m, clock } = memory();
    const read = jest.fn(async () => clock.now);

    expect(await m.reuseOrRead('scalingPolicies', read)).toBe(0);
    clock.now = 99;
    expect(await m.reuseOrRead('scalingPolicies', read)).toBe(0);
    expect(
      await m.reuseOrRead('scalingPolicies', read, { changed: true }),
    ).toBe(99);
    clock.now = 199;
    expect(await m.reuseOrRead('scalingPolicies', read)).toBe(199);
    expect(read).toHaveBeenCalledTimes(3);
    expect(m.last('scalingPolicies')).toEqual({ value: 199, readAt: 199 });
  });

  it('does not remember a failed read, or one refused by keep', async () => {
    const { memory: m } = memory();
    await m.reuseOrRead('backupVault', async () => undefined);
    expect(m.last('backupVault')).toBeUndefined();
    await m.reuseOrRead('backupVault', async () => ({ complete: false }), {
      keep: value => value.complete,
    });
    expect(m.fresh('backupVault')).toBeUndefined();
  });

  it('reads every time with configuration switched off', async () => {
    const { memory: m } = memory({ configuration: false });
    const read = jest.fn(async () => 1);
    await m.reuseOrRead('alarms', read);
    await m.reuseOrRead('alarms', read);
    expect(read).toHaveBeenCalledTimes(2);
    expect(m.last('alarms')).toBeUndefined();
  });

  it('keeps descriptions by identity until the listing no longer holds them', () => {
    const { memory: m } = memory();
    const tasks = m.descriptions<string>('tasks');
    tasks.set('arn:1', 'one');
    tasks.set('arn:2', 'two');
    tasks.retainOnly(['arn:2']);
    expect(tasks.get('arn:1')).toBeUndefined();
    expect(tasks.get('arn:2')).toBe('two');
    expect(m.descriptions('tasks')).toBe(tasks);

    const off = memory({ descriptions: false }).memory.descriptions('tasks');
    off.set('arn:1', 'one');
    expect(off.get('arn:1')).toBeUndefined();
  });
});
