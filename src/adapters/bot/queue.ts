/**
 * In-process scheduling for work that must not run inside a webhook request: a bounded queue with
 * a concurrency limit, a bounded memory of what was already accepted (redeliveries), and a per-key
 * mutex so two commands on one goal never interleave their read-modify-write of its state.
 */

export type PushOutcome = 'queued' | 'coalesced' | 'full';

interface Job {
  key: string;
  run: () => Promise<void>;
}

export class JobQueue {
  private readonly waiting: Job[] = [];
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly options: {
      concurrency: number;
      limit: number;
      onError: (error: unknown, key: string) => void;
    },
  ) {}

  get pending(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  /**
   * Queues `run`. With `coalesce`, a job with the same key that has not started yet stands for
   * this one too (merge re-evaluations: the latest state is read when it runs).
   */
  push(key: string, run: () => Promise<void>, options: { coalesce?: boolean } = {}): PushOutcome {
    if (options.coalesce && this.waiting.some((job) => job.key === key)) return 'coalesced';
    if (this.waiting.length >= this.options.limit) return 'full';
    this.waiting.push({ key, run });
    this.pump();
    return 'queued';
  }

  /** Resolves when nothing is queued or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.options.concurrency) {
      const job = this.waiting.shift();
      if (job === undefined) break;
      this.active += 1;
      // Started on a later tick: the webhook response is never held up by a job's first await.
      setImmediate(() => {
        job
          .run()
          .catch((error: unknown) => this.options.onError(error, job.key))
          .finally(() => {
            this.active -= 1;
            this.pump();
            if (this.active === 0 && this.waiting.length === 0) {
              for (const resolve of this.waiters.splice(0)) resolve();
            }
          });
      });
    }
  }
}

/** A bounded set of keys in arrival order; the oldest are forgotten first. */
export class SeenKeys {
  private readonly keys = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  /** The value recorded for `key`, or records `value` and returns null when `key` is new. */
  recordOnce(key: string, value: string): string | null {
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    this.keys.set(key, value);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    return null;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }
}

/** Serializes async sections per key; sections on different keys run concurrently. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
