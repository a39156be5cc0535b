import { UnknownValue, Value, isKnown, isObject, sameValue } from './values';

/** Functions the evaluator computes; any other call is unknown. */
export const HCL_FUNCTIONS: Record<
  string,
  (args: Value[]) => Value | undefined
> = {
  merge: args =>
    args.every(isObject)
      ? Object.fromEntries(args.flatMap(arg => Object.entries(arg)))
      : undefined,
  concat: args => (args.every(Array.isArray) ? args.flat(1) : undefined),
  length: ([arg]) => {
    if (Array.isArray(arg)) return arg.length;
    if (isObject(arg)) return Object.keys(arg).length;
    return typeof arg === 'string' ? [...arg].length : undefined;
  },
  keys: ([arg]) => (isObject(arg) ? Object.keys(arg).sort() : undefined),
  values: ([arg]) =>
    isObject(arg)
      ? Object.keys(arg)
          .sort()
          .map(key => arg[key])
      : undefined,
  contains: ([list, item]) =>
    Array.isArray(list) && isKnown(item) && list.every(isKnown)
      ? list.some(element => sameValue(element, item) === true)
      : undefined,
  coalesce: args => {
    for (const arg of args) {
      if (arg instanceof UnknownValue) return undefined;
      if (arg !== null && arg !== '') return arg;
    }
    return undefined;
  },
  lower: ([arg]) => (typeof arg === 'string' ? arg.toLowerCase() : undefined),
  upper: ([arg]) => (typeof arg === 'string' ? arg.toUpperCase() : undefined),
  min: args =>
    args.every(arg => typeof arg === 'number')
      ? Math.min(...(args as number[]))
      : undefined,
  max: args =>
    args.every(arg => typeof arg === 'number')
      ? Math.max(...(args as number[]))
      : undefined,
  tostring: ([arg]) =>
    typeof arg === 'string' ||
    typeof arg === 'number' ||
    typeof arg === 'boolean'
      ? String(arg)
      : undefined,
  tonumber: ([arg]) => {
    if (typeof arg === 'number') return arg;
    return typeof arg === 'string' && arg.trim() !== '' && !isNaN(Number(arg))
      ? Number(arg)
      : undefined;
  },
  tobool: ([arg]) => {
    if (typeof arg === 'boolean') return arg;
    return arg === 'true' || arg === 'false' ? arg === 'true' : undefined;
  },
  tolist: ([arg]) => (Array.isArray(arg) ? arg : undefined),
  tomap: ([arg]) => (isObject(arg) ? arg : undefined),
  toset: ([arg]) =>
    Array.isArray(arg) && arg.every(isKnown)
      ? arg.filter(
          (item, index) =>
            arg.findIndex(other => sameValue(other, item) === true) === index,
        )
      : undefined,
  jsonencode: ([arg]) => (isKnown(arg) ? JSON.stringify(arg) : undefined),
};

/** An operator applied to two values; undefined when the result is not known. */
export function applyOperator(
  op: string,
  left: Value,
  right: Value,
): Value | undefined {
  if (op === '==' || op === '!=') {
    const same = sameValue(left, right);
    if (same === undefined) return undefined;
    return op === '==' ? same : !same;
  }
  if (op === '&&' || op === '||') {
    if (typeof left !== 'boolean' || typeof right !== 'boolean') {
      return undefined;
    }
    return op === '&&' ? left && right : left || right;
  }
  if (typeof left !== 'number' || typeof right !== 'number') return undefined;
  switch (op) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? undefined : left / right;
    case '%':
      return right === 0 ? undefined : left % right;
    default:
      return undefined;
  }
}
