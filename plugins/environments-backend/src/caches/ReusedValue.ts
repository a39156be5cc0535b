export interface ReusedValueOptions {
  /** How long a loaded value is reused; 0 loads on every call. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * One value that is costly to load (a catalog listing, a database query),
 * reused for `maxAgeMs` after it was loaded. Callers that ask while a load runs
 * share it. A failed load is not kept: the next call loads again.
 */
export class ReusedValue<T> {
  private loaded?: { value: T; loadedAt: number };
  private loading?: Promise<T>;

  constructor(private readonly options: ReusedValueOptions) {}

  /** The value, loaded with `load` unless a recent one (or a running load) can serve. */
  get(load: () => Promise<T>, options?: { fresh?: boolean }): Promise<T> {
    if (
      !options?.fresh &&
      this.loaded &&
      this.now() - this.loaded.loadedAt < this.options.maxAgeMs
    ) {
      return Promise.resolve(this.loaded.value);
    }
    if (!this.loading) {
      const startedAt = this.now();
      const loading = load()
        .then(value => {
          if (this.loading === loading) {
            this.loaded = { value, loadedAt: startedAt };
          }
          return value;
        })
        .finally(() => {
          if (this.loading === loading) {
            this.loading = undefined;
          }
        });
      this.loading = loading;
    }
    return this.loading;
  }

  /** The last value loaded, however old, if any. */
  last(): T | undefined {
    return this.loaded?.value;
  }

  /** Forgets the value: the next call loads (a running load no longer counts). */
  invalidate(): void {
    this.loaded = undefined;
    this.loading = undefined;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
