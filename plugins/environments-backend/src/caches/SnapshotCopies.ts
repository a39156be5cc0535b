/**
 * This replica's deserialized copy of each environment's stored state
 * (switch: `snapshotCopies`).
 *
 * Key: the environment's name, with the stored state's version.
 * Lifetime: until the version in the shared cache changes (a refresh on any
 * replica stores a new one) or the state leaves the cache.
 * Why it is correct: a stored state never changes under its version, so a
 * request compares the small version key and deserializes megabytes of
 * snapshot only when it changed.
 */
export class SnapshotCopies<TState extends { version?: string }> {
  private readonly copies = new Map<string, TState>();

  constructor(private readonly options: { enabled: boolean }) {}

  /** The copy of `name` when it is of `version`. */
  get(name: string, version: string): TState | undefined {
    const copy = this.copies.get(name);
    return copy && copy.version === version ? copy : undefined;
  }

  set(name: string, state: TState): void {
    if (this.options.enabled) {
      this.copies.set(name, state);
    }
  }

  delete(name: string): void {
    this.copies.delete(name);
  }
}
