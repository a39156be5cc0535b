/**
 * Sets `key` last in the map, first dropping the oldest entries (maps iterate
 * in insertion order) so that at most `maxEntries` remain.
 */
export function setBounded<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  maxEntries: number,
): void {
  map.delete(key);
  while (map.size >= maxEntries) {
    map.delete(map.keys().next().value!);
  }
  map.set(key, value);
}
