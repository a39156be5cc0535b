/** The type skeleton of a value: keys and value types, arrays by element shape. */
export type Shape = string | { [key: string]: Shape } | Shape[];

export function shapeOf(value: unknown): Shape {
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    // arrays: the merged shape of all elements
    return [value.map(shapeOf).reduce(mergeShapes)];
  }
  if (value && typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key !== '$metadata' && item !== undefined) out[key] = shapeOf(item);
    }
    return out;
  }
  return value === null ? 'null' : typeof value;
}

function mergeShapes(a: Shape, b: Shape): Shape {
  if (
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const out: Record<string, Shape> = { ...a };
    for (const [key, shape] of Object.entries(b))
      out[key] = key in out ? mergeShapes(out[key], shape) : shape;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === 0) return b;
    if (b.length === 0) return a;
    return [mergeShapes(a[0], b[0])];
  }
  return a;
}

/**
 * Differences between two shapes, as paths: `sandbox lacks X`, `moto lacks X`
 * or `X: string vs number`. Empty arrays match any array.
 */
export function diffShapes(sandbox: Shape, moto: Shape, path = ''): string[] {
  if (Array.isArray(sandbox) && Array.isArray(moto)) {
    if (sandbox.length === 0 || moto.length === 0) return [];
    return diffShapes(sandbox[0], moto[0], `${path}[]`);
  }
  if (
    typeof sandbox === 'object' &&
    typeof moto === 'object' &&
    !Array.isArray(sandbox) &&
    !Array.isArray(moto)
  ) {
    const out: string[] = [];
    for (const key of new Set([
      ...Object.keys(sandbox),
      ...Object.keys(moto),
    ])) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in sandbox)) out.push(`sandbox lacks ${child}`);
      else if (!(key in moto)) out.push(`moto lacks ${child}`);
      else out.push(...diffShapes(sandbox[key], moto[key], child));
    }
    return out;
  }
  const kind = (s: Shape): string => {
    if (Array.isArray(s)) return 'array';
    return typeof s === 'object' ? 'object' : s;
  };
  return kind(sandbox) === kind(moto)
    ? []
    : [`${path}: ${kind(sandbox)} vs ${kind(moto)}`];
}
