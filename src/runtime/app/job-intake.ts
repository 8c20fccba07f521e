/**
 * Taking a job from a webhook, as a front door's use case: a job is remembered by its key (a
 * redelivery starts nothing twice), the same command typed twice within a minute runs once, and a
 * job the queue refuses is forgotten again so a redelivery may retry it. The queue and the memory
 * are the host's (a port); what happens in which order is decided here.
 */

/** How long the same command (one thread, one person, one text) counts as a repeat. */
export const REPEAT_WINDOW_MS = 60_000;

export type QueueOutcome = 'queued' | 'coalesced' | 'full';

export interface IntakePort {
  /** The delivery `key` was first accepted with, or null after remembering `deliveryId` for it. */
  recordOnce(key: string, deliveryId: string): string | null;
  /** Forgets `key`, so a later delivery of it is accepted. */
  forget(key: string): void;
  /** The key `fingerprint` was first seen with inside the repeat window, or null (`key` is remembered). */
  sameAs(fingerprint: string, key: string, nowMs: number): string | null;
  /** Queues the job (its run is the host's). */
  push(key: string): QueueOutcome;
  nowMs(): number;
  info(message: string): void;
}

export interface IntakeJob {
  key: string;
  deliveryId: string;
  /** What a log line calls it (`comment owner/repo#12`). */
  what: string;
  /** The command's fingerprint (`commandFingerprint`); null: the job is never a repeat (a review). */
  fingerprint: string | null;
}

export type IntakeOutcome = 'queued' | 'full' | 'skipped';

/** One thread, one person, one command line: the same fingerprint within the window is a repeat. */
export function commandFingerprint(where: {
  repo: string;
  issue: number;
  author: string;
  line: string;
}): string {
  return `${where.repo}#${where.issue}#${where.author}#${where.line}`;
}

/**
 * Accepts a job: 'skipped' when its key was accepted before or it repeats a command within the
 * window; otherwise `accepted` runs (the host acknowledges it) and the job is queued, 'full' when
 * the queue refused it (its key is forgotten again).
 */
export function acceptJob(port: IntakePort, job: IntakeJob, accepted: () => void = () => {}): IntakeOutcome {
  const first = port.recordOnce(job.key, job.deliveryId);
  if (first !== null) {
    port.info(`delivery ${job.deliveryId}: ${job.what} was already accepted (delivery ${first})`);
    return 'skipped';
  }
  if (job.fingerprint !== null) {
    const same = port.sameAs(job.fingerprint, job.key, port.nowMs());
    if (same !== null) {
      port.info(`${job.what} repeats ${same} within a minute; not run twice`);
      return 'skipped';
    }
  }
  accepted();
  if (port.push(job.key) !== 'full') return 'queued';
  port.forget(job.key);
  return 'full';
}

/**
 * A job's run as queued: `done` hears how it ended (null on success) whether it succeeded or
 * threw, and a failure still reaches the queue.
 */
export function observedRun<J>(
  job: J,
  run: (job: J) => Promise<void>,
  done: ((job: J, error: unknown) => void) | undefined,
): () => Promise<void> {
  return async () => {
    let failure: unknown = null;
    try {
      await run(job);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      done?.(job, failure);
    }
  };
}
