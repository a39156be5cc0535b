import { ReusedValue } from './ReusedValue';

describe('ReusedValue', () => {
  it('reuses a value for maxAge after its load started, one load at a time', async () => {
    let now = 1_000;
    const value = new ReusedValue<number>({ maxAgeMs: 100, now: () => now });
    const load = jest.fn(async () => now);

    const [first, second] = await Promise.all([
      value.get(load),
      value.get(load),
    ]);
    expect([first, second]).toEqual([1_000, 1_000]);
    expect(load).toHaveBeenCalledTimes(1);

    now = 1_099;
    expect(await value.get(load)).toBe(1_000);
    now = 1_100;
    expect(await value.get(load)).toBe(1_100);
    expect(await value.get(load, { fresh: true })).toBe(1_100);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('keeps no failed load, and the last good value', async () => {
    const value = new ReusedValue<string>({ maxAgeMs: 0 });
    await value.get(async () => 'good');
    await expect(
      value.get(async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(value.last()).toBe('good');
    expect(await value.get(async () => 'again')).toBe('again');
  });

  it('loads again after invalidate', async () => {
    const value = new ReusedValue<number>({ maxAgeMs: 60_000 });
    const load = jest.fn(async () => 1);
    await value.get(load);
    value.invalidate();
    await value.get(load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
