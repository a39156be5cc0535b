// A module-level reference: looking up the global Math per call is slow in Jest's sandboxed globals.
const imul = Math.imul;

/** Deterministic hashing: the same parts always give the same numbers. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) drawn from the parts. */
export function unit(...parts: Array<string | number>): number {
  return hash32(...parts) / 0x100000000;
}

export function hexId(
  length: number,
  ...parts: Array<string | number>
): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    out += hash32(...parts, i)
      .toString(16)
      .padStart(8, '0');
  }
  return out.slice(0, length);
}

export function uuid(...parts: Array<string | number>): string {
  const h = hexId(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

export function digits(
  length: number,
  ...parts: Array<string | number>
): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    out += String(hash32(...parts, i) % 1000000000).padStart(9, '0');
  }
  return out.slice(0, length);
}
