/** A copy with timestamps as epoch seconds and no undefined members. */
function toJsonWire(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toJsonWire(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  // for...in over plain objects: the fastest walk, and JSON.stringify then
  // keeps its fast path (no replacer)
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = toJsonWire(item);
  }
  return out;
}

/** Handler output as a JSON body: timestamps become epoch seconds. */
export function stringifyJsonWire(value: unknown): string {
  return JSON.stringify(toJsonWire(value));
}

const XML_SPECIAL = /[&<>"']/;

export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** awsQuery XML: lists as `<member>` elements, timestamps as ISO 8601. */
export function toXml(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) out += `<member>${toXml(item)}</member>`;
    return out;
  }
  if (value && typeof value === 'object') {
    let out = '';
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined && item !== null) {
        out += `<${key}>${toXml(item)}</${key}>`;
      }
    }
    return out;
  }
  return escapeXml(String(value));
}
