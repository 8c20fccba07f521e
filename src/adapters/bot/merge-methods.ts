import type { MergeMethod } from '../../runtime/app/index.js';
import type { BotGitHub, RepoRef } from './github.js';

/**
 * Each repository's allowed merge methods as GitHub last answered (GET /repos), reused for
 * `ttlMs`: merge signals come in bursts, and one answer serves them all.
 */
export class AllowedMergeMethods {
  private readonly entries = new Map<string, { methods: MergeMethod[]; until: number }>();

  constructor(private readonly ttlMs: number) {}

  async of(gh: Pick<BotGitHub, 'allowedMergeMethods'>, repo: RepoRef, nowMs: number): Promise<MergeMethod[]> {
    let entry = this.entries.get(repo.fullName);
    if (entry === undefined || entry.until < nowMs) {
      entry = { methods: await gh.allowedMergeMethods(repo), until: nowMs + this.ttlMs };
      this.entries.set(repo.fullName, entry);
    }
    return entry.methods;
  }
}
