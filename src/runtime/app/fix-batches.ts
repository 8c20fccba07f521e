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
}
