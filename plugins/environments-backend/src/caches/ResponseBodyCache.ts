import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { setBounded } from './boundedMap';

const gzipAsync = promisify(gzip);

/** Bounds the bodies kept: one per route and distinct query. */
export const MAX_RESPONSE_BODIES = 64;

/** Bytes as sent, and their entity tag. */
export interface EncodedBody {
  bytes: Buffer;
  /** A strong entity tag of the bytes (a digest: equal tags, equal bytes). */
  etag: string;
}

/** A serialized JSON body: its UTF-8 bytes, and those gzipped once asked for. */
export interface SerializedBody extends EncodedBody {
  /** Made by the first request that accepts gzip, kept with the body. */
  gzipped?: Promise<EncodedBody>;
}

/** Bodies smaller than this go as they are (the compression middleware's threshold). */
export const GZIP_MIN_BYTES = 1024;

/** Serializes a body to the bytes sent and tags them. */
export function serializeBody(body: unknown): SerializedBody {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const digest = createHash('sha256').update(bytes).digest('base64url');
  return { bytes, etag: `"${digest}"` };
}

/**
 * The body gzipped, made once per serialized body (off the main thread, by
 * zlib) and then reused: Backstage's compression middleware would gzip the
 * same megabytes again for every browser request. Its tag is the identity
 * tag's with `.gz`: another representation, another tag. A failure is not
 * kept, the next request tries again.
 */
export function gzippedBody(body: SerializedBody): Promise<EncodedBody> {
  if (!body.gzipped) {
    const gzipped = gzipAsync(body.bytes).then(bytes => ({
      bytes,
      etag: `${body.etag.slice(0, -1)}.gz"`,
    }));
    gzipped.catch(() => {
      if (body.gzipped === gzipped) {
        body.gzipped = undefined;
      }
    });
    body.gzipped = gzipped;
  }
  return body.gzipped;
}

/**
 * Serialized response bodies (switch: `responseBodies`).
 *
 * Key: the route and its query (one entry per distinct problem filter, say).
 * Lifetime: while the versions of the views the body was built from are the
 * same; at most `maxEntries` bodies are kept.
 * Why it is correct: a view's version names everything its content comes from
 * (the environment's definition, the stored state's version, the evaluation's
 * version), so an equal version string means an equal body. Nothing rests on
 * which objects the other modules hand out.
 *
 * A body is kept as the bytes sent with their entity tag, so that a request
 * costs neither the UTF-8 encoding of the body nor Express's digest of it:
 * at 1,000 services x 2 the problems list is 5.6 MB (4,062 problems), about
 * 10 ms of the main thread a request on the benchmark's machine. A client
 * that sends the tag back gets a 304 without the body, as before. Its gzipped
 * bytes are made at the first request that accepts gzip and kept with it
 * (`gzippedBody`).
 */
export class ResponseBodyCache {
  private readonly bodies = new Map<
    string,
    { version: string; body: SerializedBody }
  >();

  constructor(
    private readonly options: { enabled: boolean; maxEntries: number },
  ) {}

  /** The body of `key` built from content of `version`, serialized once per version. */
  get(key: string, version: string, build: () => unknown): SerializedBody {
    const known = this.bodies.get(key);
    if (known && known.version === version) {
      return known.body;
    }
    const body = serializeBody(build());
    if (this.options.enabled) {
      setBounded(this.bodies, key, { version, body }, this.options.maxEntries);
    }
    return body;
  }
}
