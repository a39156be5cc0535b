import { isBody } from './configuration';

/**
 * A value the review cannot work out statically: a resource attribute known
 * only after apply, a `count.index`, a function it does not evaluate, a
 * variable no value was given for. `expression` is the text that stopped it,
 * `module` the module whose scope that text is in.
 */
export class UnknownValue {
  constructor(readonly expression: string, readonly module: string) {}
}

/**
 * What an expression is worth: JSON-like values, where any part may be
 * unknown (`{ Name = "x", Arn = <unknown> }`).
 */
export type Value =
  | string
  | number
  | boolean
  | null
  | Value[]
  | { [key: string]: Value }
  | UnknownValue;

export function isObject(value: unknown): value is { [key: string]: Value } {
  return isBody(value) && !(value instanceof UnknownValue);
}

/** Whether a value has no unknown part. */
export function isKnown(value: Value): boolean {
  if (value instanceof UnknownValue) return false;
  if (Array.isArray(value)) return value.every(isKnown);
  if (isObject(value)) return Object.values(value).every(isKnown);
  return true;
}

/**
 * Whether two values are the same: known parts by content, two unknowns
 * when they are the same variable or local of the same module (one that
 * nothing gave a value to). Undefined when the review cannot tell.
 */
export function sameValue(a: Value, b: Value): boolean | undefined {
  if (a instanceof UnknownValue || b instanceof UnknownValue) {
    return a instanceof UnknownValue &&
      b instanceof UnknownValue &&
      /^(var|local)\.[A-Za-z_][\w-]*$/.test(a.expression) &&
      a.expression === b.expression &&
      a.module === b.module
      ? true
      : undefined;
  }
  let pairs: Array<[Value, Value]>;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    pairs = a.map((item, index) => [item, b[index]]);
  } else if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).sort();
    if (keys.join('\u0000') !== Object.keys(b).sort().join('\u0000')) {
      return false;
    }
    pairs = keys.map(key => [a[key], b[key]]);
  } else {
    return a === b;
  }
  const same = pairs.map(([left, right]) => sameValue(left, right));
  if (same.includes(false)) return false;
  return same.includes(undefined) ? undefined : true;
}

/** Whether an object has a key of its own (not `constructor` from its prototype). */
export function hasOwn(object: object, key: string) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** An object's own value of a key. */
export function ownValue(
  object: { [key: string]: Value },
  key: string,
): Value | undefined {
  return hasOwn(object, key) ? object[key] : undefined;
}
