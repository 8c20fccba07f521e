import type { ThreadPhase } from '../../runtime/app/index.js';
import { readStatusMarker } from '../../runtime/app/render.js';
import type { BotGitHub, RepoRef, ThreadComment } from './github.js';
import { KeyedMutex } from './queue.js';

/** What the bot is doing about a goal, beside the goal's own status (the runtime's thread phases). */
export type Phase = ThreadPhase;

/** The status comment's markers are written and read by `runtime/app/status-comment.ts`. */
export { readStatusMarker, statusMarker } from '../../runtime/app/render.js';

export interface FoundStatus {
  commentId: number;
  phase: Phase | null;
  body: string;
}

/** Status comments remembered for editing without a lookup. */
const MAX_REMEMBERED = 10_000;

/** Only a bot's comment can be a status comment: a person pasting the marker hijacks nothing. */
function statusOf(comment: ThreadComment): { goalId: string; phase: Phase | null } | null {
  return comment.authorType === 'Bot' ? readStatusMarker(comment.body) : null;
}

/**
 * One status comment per goal and thread, found by its hidden marker and edited in place. Calls
 * for one goal and thread are serialized, so two jobs never both create it.
 */
export class StatusComments {
  private readonly mutex = new KeyedMutex();
  /** The comment each key was last written to, and the body written: edits skip the lookup. */
  private readonly written = new Map<string, { commentId: number; body: string }>();

  async find(gh: BotGitHub, repo: RepoRef, issue: number, goalId: string): Promise<FoundStatus | null> {
    for (const comment of await gh.comments(repo, issue)) {
      const status = statusOf(comment);
      if (status?.goalId === goalId)
        return { commentId: comment.id, phase: status.phase, body: comment.body };
    }
    return null;
  }

  /**
   * Creates or updates the status comment; an unchanged body costs no call. The comment this
   * process wrote last is edited without listing the thread again (one call per edit); if that
   * edit fails (the comment was deleted), the thread is searched again.
   */
  upsert(gh: BotGitHub, repo: RepoRef, issue: number, goalId: string, body: string): Promise<number> {
    const key = `${repo.fullName}#${issue}#${goalId}`;
    return this.mutex.run(key, async () => {
      const last = this.written.get(key);
      if (last !== undefined) {
        if (last.body === body) return last.commentId;
        this.written.delete(key);
        try {
          await gh.updateComment(repo, last.commentId, body);
          return this.remember(key, last.commentId, body);
        } catch {
          // Deleted or unreachable: the lookup below finds it again or creates a new one.
        }
      }
      const found = await this.find(gh, repo, issue, goalId);
      if (found === null) return this.remember(key, await gh.createComment(repo, issue, body), body);
      if (found.body !== body) await gh.updateComment(repo, found.commentId, body);
      return this.remember(key, found.commentId, body);
    });
  }

  private remember(key: string, commentId: number, body: string): number {
    // Bounded: the oldest entry goes first (a Map iterates in insertion order).
    if (this.written.size >= MAX_REMEMBERED) {
      const oldest = this.written.keys().next().value;
      if (oldest !== undefined) this.written.delete(oldest);
    }
    this.written.set(key, { commentId, body });
    return commentId;
  }
}

/** The goal of the newest status comment in a thread: what a command without GOAL_ID means. */
export async function latestGoalInThread(
  gh: BotGitHub,
  repo: RepoRef,
  issue: number,
): Promise<string | null> {
  let latest: string | null = null;
  for (const comment of await gh.comments(repo, issue)) {
    const status = statusOf(comment);
    if (status !== null) latest = status.goalId;
  }
  return latest;
}
