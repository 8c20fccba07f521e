import type { ChangeRequest } from './fix.js';

/**
 * Change requests on one PR that arrive before its fix starts (one review's comments, several
 * `/omk goal fix`) join the fix waiting on that PR: one agent run, one commit, one answer per
 * request. A batch is open from its first request until its fix takes it.
 */
export class FixBatches {
  private readonly waiting = new Map<string, ChangeRequest[]>();

  /**
   * Joins the fix waiting on `key` (null: nothing more to do), or opens a batch for a new fix;
   * its `take` closes the batch and returns every request it gathered (again on a later call).
   */
  open(key: string, requests: readonly ChangeRequest[]): { take: () => ChangeRequest[] } | null {
    const waiting = this.waiting.get(key);
    if (waiting !== undefined) {
      waiting.push(...requests);
      return null;
    }
    const batch = [...requests];
    this.waiting.set(key, batch);
    return {
      take: () => {
        if (this.waiting.get(key) === batch) this.waiting.delete(key);
        return batch;
      },
    };
  }

  /**
   * Queues the fix of `requests` on `key` through `push` (the host's run lane), or joins the fix
   * waiting there ('joined'). The fix's `run` gets `take`; once it ends, fails (then `failed` says
   * so) or finds the lane full, the batch is closed: no request waits for a fix that will not
   * come, and a request arriving after that opens a new batch.
   */
  queue(
    key: string,
    requests: readonly ChangeRequest[],
    push: (jobKey: string, job: () => Promise<void>) => 'queued' | 'full',
    run: (take: () => ChangeRequest[]) => Promise<void>,
    failed: (error: unknown) => Promise<void>,
  ): 'joined' | 'queued' | 'full' {
    const batch = this.open(key, requests);
    if (batch === null) return 'joined';
    const { take } = batch;
    const outcome = push(`fix:${key}:${requests.map((request) => request.id).join(',')}`, async () => {
      try {
        await run(take);
      } catch (error) {
        take();
        return failed(error);
      }
      take();
    });
    if (outcome === 'full') take();
    return outcome;
  }
}
