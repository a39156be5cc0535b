import { createHash } from 'node:crypto';
import { setBounded } from './boundedMap';

/** Bounds the bodies kept: one per route and distinct query. */
export const MAX_RESPONSE_BODIES = 64;

/** A serialized JSON body, as sent, and its entity tag. */
export interface SerializedBody {
  /** The UTF-8 bytes of the JSON. */
  bytes: Buffer;
  /** A strong entity tag of the bytes (a digest: equal tags, equal bytes). */
  etag: string;
}

/** Serializes a body to the bytes sent and tags them. */
export function serializeBody(body: unknown): SerializedBody {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const digest = createHash('sha256').update(bytes).digest('base64url');
  return { bytes, etag: `"${digest}"` };
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
 * that sends the tag back gets a 304 without the body, as before.
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
