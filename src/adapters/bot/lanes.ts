import { JobQueue, type PushOutcome } from './queue.js';

/**
 * The bot's two job lanes and their lifecycle: short commands (replies, lifecycle changes, merge
 * checks, dispatches) and goal executions, each a bounded queue with its own concurrency; calls
 * started in a webhook request but not awaited by it (a reaction); closing for a shutdown and
 * waiting for what runs.
 */
export class JobLanes {
  readonly commands: JobQueue;
  readonly runs: JobQueue;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** False once shutting down: new jobs are refused, running ones finish. */
  private open = true;

  constructor(
    options: { commandConcurrency: number; runConcurrency: number; limit: number },
    private readonly log: { info(message: string): void; warn(message: string): void },
  ) {
    const onError = (error: unknown, key: string) => {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`job ${key} failed: ${message}`);
    };
    this.commands = new JobQueue({ concurrency: options.commandConcurrency, limit: options.limit, onError });
    this.runs = new JobQueue({ concurrency: options.runConcurrency, limit: options.limit, onError });
  }

  /** Queues on the command lane; refused ('full', as for a full queue) once shutting down. */
  push(key: string, run: () => Promise<void>, options: { coalesce?: boolean } = {}): PushOutcome {
    if (this.open) return this.commands.push(key, run, options);
    this.log.info(`job ${key} refused: the app is shutting down`);
    return 'full';
  }

  /** Lets a call finish after the webhook was answered; idle() waits for it. */
  track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  /** Jobs running or waiting on either lane. */
  get busy(): number {
    return this.commands.pending + this.commands.running + this.runs.pending + this.runs.running;
  }

  /** Resolves when both lanes are empty (a command job may queue a run) and tracked calls are done. */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inFlight]);
      await this.commands.idle();
      await this.runs.idle();
      if (this.busy === 0) return;
    }
  }

  /**
   * A clean stop: new jobs are refused, `shutdown` is aborted (local runs record themselves
   * interrupted and push their state, resumable), and what is running or queued is waited for, at
   * most `timeoutMs`. Resolves true when everything drained in time.
   */
  async drain(shutdown: AbortController, timeoutMs: number): Promise<boolean> {
    this.open = false;
    shutdown.abort();
    this.log.info(`shutting down: refusing new work, waiting for ${this.busy} job(s)`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    const drained = await Promise.race([this.idle().then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (drained) this.log.info('shutdown: every job finished');
    else this.log.warn(`shutdown: jobs still running after ${timeoutMs} ms; stopping anyway`);
    return drained;
  }
}

/**
 * The same text typed twice within a window on one thread by one person (a double click, a
 * resubmitted form) maps to the first one's key. Bounded: expired entries go once it grows large.
 */
export class RecentKeys {
  private readonly recent = new Map<string, { key: string; until: number }>();

  constructor(private readonly windowMs: number) {}

  /** The key `fingerprint` was first seen with inside the window, or null (and `key` is remembered). */
  sameAs(fingerprint: string, key: string, nowMs: number): string | null {
    if (this.recent.size > 10_000) {
      for (const [k, v] of this.recent) if (v.until < nowMs) this.recent.delete(k);
    }
    const known = this.recent.get(fingerprint);
    if (known !== undefined && known.until >= nowMs && known.key !== key) return known.key;
    this.recent.set(fingerprint, { key, until: nowMs + this.windowMs });
    return null;
  }
}
