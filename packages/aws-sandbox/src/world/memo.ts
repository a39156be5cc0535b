/**
 * A map of computed values that forgets everything once it holds `limit`
 * entries, so a long-running sandbox with a moving clock stays small.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string, compute: () => V): V {
    let value = this.values.get(key);
    if (value === undefined) {
      if (this.values.size >= this.limit) this.values.clear();
      value = compute();
      this.values.set(key, value);
    }
    return value;
  }
}
