import { gunzipSync } from 'node:zlib';
import {
  gzippedBody,
  ResponseBodyCache,
  serializeBody,
} from './ResponseBodyCache';

const text = (body: { bytes: Buffer }) => body.bytes.toString('utf8');

describe('ResponseBodyCache', () => {
  it('serializes a body once per version of what it is built from', () => {
    const cache = new ResponseBodyCache({ enabled: true, maxEntries: 2 });
    const build = jest.fn((n: number) => ({ n }));
    const first = cache.get('k', 'v1', () => build(1));
    expect(text(first)).toBe('{"n":1}');
    expect(cache.get('k', 'v1', () => build(1))).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);

    expect(text(cache.get('k', 'v2', () => build(2)))).toBe('{"n":2}');
    expect(text(cache.get('other', 'v2', () => build(3)))).toBe('{"n":3}');
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

describe('serializeBody', () => {
  it('keeps the UTF-8 bytes of the JSON, and tags equal bytes alike and different bytes apart', () => {
    const body = serializeBody({ title: 'Ölfass — 2 × 3' });
    expect(body.bytes.toString('utf8')).toBe('{"title":"Ölfass — 2 × 3"}');
    expect(body.bytes.byteLength).toBe(
      Buffer.byteLength('{"title":"Ölfass — 2 × 3"}'),
    );
    expect(body.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(serializeBody({ title: 'Ölfass — 2 × 3' }).etag).toBe(body.etag);
    expect(serializeBody({ title: 'Ölfass — 2 × 4' }).etag).not.toBe(body.etag);
  });
});

describe('gzippedBody', () => {
  it('gzips a body once and tags it apart from the identity bytes', async () => {
    const body = serializeBody({
      items: Array.from({ length: 200 }, (_, i) => ({ i })),
    });
    const first = gzippedBody(body);
    expect(gzippedBody(body)).toBe(first);
    const gzipped = await first;
    expect(gunzipSync(gzipped.bytes).equals(body.bytes)).toBe(true);
    expect(gzipped.bytes.byteLength).toBeLessThan(body.bytes.byteLength);
    expect(gzipped.etag).toBe(`${body.etag.slice(0, -1)}.gz"`);
  });
});
