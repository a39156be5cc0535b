import { Config } from '@backstage/config';

/**
 * The config key listing the catalog locations that environment Resources are
 * accepted from.
 *
 * @public
 */
export const TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY =
  'kler.environments.trustedLocations';

/**
 * The location refs (`type:target`) that environment Resources are accepted
 * from: `kler.environments.trustedLocations`, or else every location in
 * `catalog.locations`, i.e. only what operators configured. A relative `file:`
 * target resolves against `cwd` (POSIX), as the catalog resolves config file
 * locations against the backend's working directory; a ref ending in `*` is a
 * prefix pattern. Throws an Error naming the key of an entry that is not a
 * location ref.
 *
 * @public
 */
export function readTrustedEnvironmentLocations(
  config: Config,
  cwd: string,
): string[] {
  const configured = config.getOptionalStringArray(
    TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY,
  );
  if (configured) {
    return configured.map((ref, index) => {
      const key = `${TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY}[${index}]`;
      const star = ref.indexOf('*');
      if (star !== -1 && star !== ref.length - 1) {
        throw new Error(
          `Invalid config ${key}: "${ref}" has a * before its end; only a trailing * (a prefix) is supported`,
        );
      }
      return resolveLocationRef(ref, cwd, key);
    });
  }
  return (config.getOptionalConfigArray('catalog.locations') ?? []).map(
    (location, index) =>
      resolveLocationRef(
        `${location.getString('type')}:${location.getString('target')}`,
        cwd,
        `catalog.locations[${index}]`,
      ),
  );
}

/**
 * True when the location ref (an entity's origin location, `type:target`) is
 * one of `trusted` or starts with the part before the `*` of a pattern of
 * `trusted` ending in `*`. Both sides are normalized first: `..` and `.` in
 * `file:` paths and `url:` URLs are resolved, so that a path cannot climb out of
 * a trusted folder, and a ref with an encoded slash or backslash after a
 * pattern's prefix does not match it. An unparsable URL, a relative `file:`
 * path and an undefined ref are never trusted.
 *
 * @public
 */
export function isTrustedLocation(
  locationRef: string | undefined,
  trusted: string[],
): boolean {
  const ref = locationRef === undefined ? undefined : normalize(locationRef);
  if (ref === undefined || !isAbsolute(ref)) {
    return false;
  }
  return trusted.some(pattern => {
    const normalized = normalize(pattern);
    if (normalized === undefined) {
      return false;
    }
    if (!normalized.endsWith('*')) {
      return ref === normalized;
    }
    const prefix = normalized.slice(0, -1);
    // A reader may decode an encoded slash or backslash into a separator, and
    // so into `..` steps out of the prefix.
    return ref.startsWith(prefix) && !/%2f|%5c/i.test(ref.slice(prefix.length));
  });
}

function resolveLocationRef(ref: string, cwd: string, key: string): string {
  const parsed = splitLocationRef(ref);
  if (!parsed) {
    throw new Error(
      `Invalid config ${key}: "${ref}" is not a location ref such as file:../../catalog/all.yaml or url:https://github.com/org/repo/blob/main/*`,
    );
  }
  const { type, target } = parsed;
  const absolute =
    type === 'file' && !target.startsWith('/') ? `${cwd}/${target}` : target;
  const normalized = normalize(`${type}:${absolute}`);
  if (normalized === undefined) {
    throw new Error(`Invalid config ${key}: "${ref}" is not a valid URL`);
  }
  return normalized;
}

function splitLocationRef(
  ref: string,
): { type: string; target: string } | undefined {
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1) {
    return undefined;
  }
  return { type: ref.slice(0, colon), target: ref.slice(colon + 1) };
}

/** The ref with its path resolved, or undefined when it cannot be trusted at all. */
function normalize(ref: string): string | undefined {
  const parsed = splitLocationRef(ref);
  if (!parsed) {
    return undefined;
  }
  const { type, target } = parsed;
  if (type === 'file') {
    return `file:${normalizePosixPath(target)}`;
  }
  if (type === 'url') {
    try {
      return `url:${new URL(target).href}`;
    } catch {
      return undefined;
    }
  }
  return ref;
}

function isAbsolute(ref: string): boolean {
  return !ref.startsWith('file:') || ref.startsWith('file:/');
}

/** Resolves `.` and `..` segments and repeated slashes, as path.posix.normalize does. */
function normalizePosixPath(path: string): string {
  const absolute = path.startsWith('/');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') {
      continue;
    }
    if (segment !== '..') {
      segments.push(segment);
    } else if (segments.length > 0 && segments[segments.length - 1] !== '..') {
      segments.pop();
    } else if (!absolute) {
      segments.push('..');
    }
  }
  const joined = segments.join('/');
  if (absolute) {
    return `/${joined}`;
  }
  return joined || '.';
}
