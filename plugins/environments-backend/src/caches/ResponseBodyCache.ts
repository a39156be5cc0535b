import { setBounded } from './boundedMap';

/** Bounds the bodies kept: one per route and distinct query. */
export const MAX_RESPONSE_BODIES = 64;

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
 */
export class ResponseBodyCache {
  private readonly bodies = new Map<
    string,
    { version: string; body: string }
  >();

  constructor(
    private readonly options: { enabled: boolean; maxEntries: number },
  ) {}

  /** The body of `key` built from content of `version`, serialized once per version. */
  get(key: string, version: string, build: () => unknown): string {
    const known = this.bodies.get(key);
    if (known && known.version === version) {
      return known.body;
    }
    const body = JSON.stringify(build());
    if (this.options.enabled) {
      setBounded(this.bodies, key, { version, body }, this.options.maxEntries);
    }
    return body;
  }
}
