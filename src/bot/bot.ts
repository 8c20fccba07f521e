import type { BotConfig } from '../adapters/bot/config.js';
import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { JobLanes, RecentKeys } from '../adapters/bot/lanes.js';
import { AllowedMergeMethods } from '../adapters/bot/merge-methods.js';
import { type JobQueue, KeyedMutex, type PushOutcome, SeenKeys } from '../adapters/bot/queue.js';
import { StatusComments } from '../adapters/bot/status-comments.js';
import { type ActiveRun, FixBatches, observedRun, REPEAT_WINDOW_MS } from '../runtime/app/index.js';
import type { Clock, HostInfo, Reporter } from '../runtime/app/ports.js';
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

export interface BotObserver {
  /** A temporary checkout was created or removed. */
  workspace?(event: 'created' | 'removed', dir: string): void;
  /** A job finished; `error` is null on success. */
  jobDone?(job: BotJob, error: unknown): void;
}

export interface BotDeps {
  config: BotConfig;
  /** The host environment; agents and gates get only allowlisted parts of it. */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  host: HostInfo;
  reporter: Reporter;
  /** Decisions too frequent for info (a comment without a command ignored); Probot's log.debug. */
  debug?: (message: string) => void;
  /** An authenticated client for an installation (Probot's app.auth in production). */
  githubFor: (installationId: number | undefined) => Promise<BotGitHub>;
  /** Replaces the executor (the load benchmark counts jobs instead of running them). */
  executeJob?: (job: BotJob) => Promise<void>;
  observe?: BotObserver;
  /** Aborted on shutdown: local runs stop, record themselves interrupted and push their state. */
  shutdown?: AbortSignal;
}

/** The bot's in-process state. Created when the app is loaded, never at import time. */
export class Bot {
  /** The command lane, the run lane (goal executions in local mode), shutdown and idle. */
  readonly lanes: JobLanes;
  readonly commands: JobQueue;
  readonly runs: JobQueue;
  readonly mutex = new KeyedMutex();
  readonly statuses = new StatusComments();
  /** Goals executing in this process (local mode): commands on one act on its store. */
  readonly active = new Map<string, ActiveRun>();
  /** Change requests waiting for the fix queued on their PR (`owner/repo#pr`), which takes them all. */
  readonly fixBatches = new FixBatches();
  /** Runs followed by their events (LiveStatus): goal id → what to do with appended event types. */
  readonly followers = new Map<string, (types: readonly string[]) => void>();
  /** The host the bot's stores get: deps.host, reporting appended events to the followers. */
  readonly host: HostInfo;
  /** Comment keys already accepted: a redelivered webhook starts nothing twice. */
  readonly seen = new SeenKeys(50_000);
  /** Each repository's allowed merge methods, as last asked, reused for a minute. */
  readonly mergeMethods = new AllowedMergeMethods(60_000);
  /** The same command on one thread by one person within a minute runs once. */
  readonly recent = new RecentKeys(REPEAT_WINDOW_MS);

  constructor(readonly deps: BotDeps) {
    this.host = {
      ...deps.host,
      eventsAppended: (goalId, types) => {
        deps.host.eventsAppended?.(goalId, types);
        this.followers.get(goalId)?.(types);
      },
    };
    const { config } = deps;
    this.lanes = new JobLanes(
      {
        commandConcurrency: config.commandConcurrency,
        runConcurrency: config.runConcurrency,
        limit: config.queueLimit,
      },
      deps.reporter,
    );
    this.commands = this.lanes.commands;
    this.runs = this.lanes.runs;
  }

  /** Queues a job on the command lane; its outcome is reported to the observer. */
  enqueue(
    job: BotJob,
    run: (job: BotJob) => Promise<void>,
    options: { coalesce?: boolean } = {},
  ): PushOutcome {
    const observed = observedRun(job, this.deps.executeJob ?? run, this.deps.observe?.jobDone);
    return this.lanes.push(job.key, observed, options);
  }

  /** Resolves when both lanes are empty and tracked calls are done. */
  idle(): Promise<void> {
    return this.lanes.idle();
  }
}
