import type { BotHost, BotHostDeps } from '../adapters/bot/bot-host.js';
import type { RepoRef } from '../adapters/bot/github.js';
import type { ParseOutcome } from './command.js';
import type { FixJob } from './job-fix.js';

/** Work accepted from a webhook, as data: the executor performs it after the response. */
export type BotJob =
  | {
      kind: 'command';
      /** `owner/repo#<comment id>`: a redelivery or a second look maps to the same key. */
      key: string;
      deliveryId: string;
      repo: RepoRef;
      issue: number;
      commentId: number;
      author: string;
      parsed: ParseOutcome | { ok: false; refused: 'bidi' };
    }
  | { kind: 'merge-check'; key: string; repo: RepoRef; goalId: string; event: string }
  /** Changes asked by a review or a review comment on an omk PR (key: the review's or comment's id). */
  | ({ kind: 'fix'; key: string; deliveryId: string } & FixJob);

/** The bot's in-process state (lanes, queues, runs here, caches) over its jobs: `adapters/bot/bot-host.ts`. */
export type Bot = BotHost<BotJob>;
export type BotDeps = BotHostDeps<BotJob>;
