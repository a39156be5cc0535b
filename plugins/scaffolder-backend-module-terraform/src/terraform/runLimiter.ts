/**
 * Bounds how many Terraform processes one backend runs at once. Each run
 * holds a slot for the life of its process; the rest wait in order. A waiter
 * whose task is cancelled leaves the queue.
 */
export class TerraformRunLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly maxConcurrentRuns: number) {}

  /** Runs `fn` in a slot; `onWait` is told when it has to wait for one. */
  async run<T>(
    fn: () => Promise<T>,
    options: { signal?: AbortSignal; onWait?: (running: number) => void } = {},
  ): Promise<T> {
    if (this.running >= this.maxConcurrentRuns) {
      options.onWait?.(this.running);
      const waiting = this.waiting;
      await new Promise<void>((resolve, reject) => {
        // Declarations, as each refers to the other.
        function start() {
          options.signal?.removeEventListener('abort', abort);
          resolve();
        }
        function abort() {
          const index = waiting.indexOf(start);
          if (index >= 0) waiting.splice(index, 1);
          reject(
            new Error('Task was cancelled while waiting to run terraform'),
          );
        }
        if (options.signal?.aborted) {
          abort();
          return;
        }
        options.signal?.addEventListener('abort', abort, { once: true });
        this.waiting.push(start);
      });
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` stays the same.
      if (next) next();
      else this.running--;
    }
  }
}
