import { chunk, collectPages, createLimiter } from './concurrency';

describe('createLimiter', () => {
  it('runs at most the limit at once, in order, and keeps going after failures', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let maxActive = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        limit(async () => {
          started.push(i);
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise(resolve => setTimeout(resolve, 2));
          active -= 1;
          if (i === 3) {
            throw new Error('boom');
          }
          return i;
        }),
      ),
    );
    expect(maxActive).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(6);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});

describe('chunk', () => {
  it('splits into batches of the given size', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(chunk(items, 10).map(batch => batch.length)).toEqual([10, 10, 5]);
    expect(chunk([], 10)).toEqual([]);
  });
});

describe('collectPages', () => {
  it('follows tokens until there is none, treating an empty token as the end', async () => {
    const fetchPage = jest.fn(async (token: string | undefined) => {
      if (!token) {
        return { items: [1, 2], nextToken: 'b' };
      }
      if (token === 'b') {
        return { items: undefined, nextToken: 'c' };
      }
      return { items: [3], nextToken: '' };
    });
    expect(await collectPages(fetchPage)).toEqual([1, 2, 3]);
    expect(fetchPage.mock.calls.map(call => call[0])).toEqual([
      undefined,
      'b',
      'c',
    ]);
  });
});
