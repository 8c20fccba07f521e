import type { BotGitHub, RepoRef, ThreadComment } from './github.js';
import { KeyedMutex } from './queue.js';
import { type Phase, readStatusMarker } from './render.js';

export interface FoundStatus {
  commentId: number;
  phase: Phase | null;
  body: string;
}

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

  async find(gh: BotGitHub, repo: RepoRef, issue: number, goalId: string): Promise<FoundStatus | null> {
    for (const comment of await gh.comments(repo, issue)) {
      const status = statusOf(comment);
      if (status?.goalId === goalId)
        return { commentId: comment.id, phase: status.phase, body: comment.body };
    }
    return null;
  }

  /** Creates or updates the status comment; an unchanged body costs no write. */
  upsert(gh: BotGitHub, repo: RepoRef, issue: number, goalId: string, body: string): Promise<number> {
    return this.mutex.run(`${repo.fullName}#${issue}#${goalId}`, async () => {
      const found = await this.find(gh, repo, issue, goalId);
      if (found === null) return gh.createComment(repo, issue, body);
      if (found.body !== body) await gh.updateComment(repo, found.commentId, body);
      return found.commentId;
    });
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
