import { ResponseBodyCache } from './ResponseBodyCache';

describe('ResponseBodyCache', () => {
  it('serializes a body once per version of what it is built from', () => {
    const cache = new ResponseBodyCache({ enabled: true, maxEntries: 2 });
    const build = jest.fn((n: number) => ({ n }));
    expect(cache.get('k', 'v1', () => build(1))).toBe('{"n":1}');
    expect(cache.get('k', 'v1', () => build(1))).toBe('{"n":1}');
    expect(build).toHaveBeenCalledTimes(1);

    expect(cache.get('k', 'v2', () => build(2))).toBe('{"n":2}');
    expect(cache.get('other', 'v2', () => build(3))).toBe('{"n":3}');
    expect(build).toHaveBeenCalledTimes(3);
  });

  it('keeps at most maxEntries bodies, dropping the oldest', () => {
    const cache = new ResponseBodyCache({ enabled: true, maxEntries: 2 });
    const build = jest.fn(() => ({}));
    cache.get('a', 'v', build);
    cache.get('b', 'v', build);
    cache.get('c', 'v', build);
    cache.get('a', 'v', build);
    expect(build).toHaveBeenCalledTimes(4);
  });

  it('builds every body when switched off', () => {
    const cache = new ResponseBodyCache({ enabled: false, maxEntries: 2 });
    const build = jest.fn(() => ({}));
    cache.get('a', 'v', build);
    cache.get('a', 'v', build);
    expect(build).toHaveBeenCalledTimes(2);
  });
});
