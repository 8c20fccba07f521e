import {
  type ActiveRun,
  acceptJob,
  chooseMergeMethod,
  FixBatches,
  type IntakeOutcome,
  type MergeMethod,
  observedRun,
  REPEAT_WINDOW_MS,
} from '../../runtime/app/index.js';
import type { Clock, HostInfo, Reporter } from '../../runtime/app/ports.js';
import type { BotConfig } from './config.js';
import type { BotGitHub, RepoRef } from './github.js';
import { JobLanes, RecentKeys } from './lanes.js';
import { LiveStatus } from './live-status.js';
import { AllowedMergeMethods } from './merge-methods.js';
import { type JobQueue, KeyedMutex, type PushOutcome, SeenKeys } from './queue.js';
import { StatusComments } from './status-comments.js';
import { type Workspace, type WorkspaceSpec, withWorkspace } from './workspace.js';

/** A job the bot queues: its key maps a redelivery or a second look to the same job. */
export interface KeyedJob {
  key: string;
}

export interface BotObserver<J> {
  /** A temporary checkout was created or removed. */
  workspace?(event: 'created' | 'removed', dir: string): void;
  /** A job finished; `error` is null on success. */
  jobDone?(job: J, error: unknown): void;
}

export interface BotHostDeps<J> {
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
  executeJob?: (job: J) => Promise<void>;
  observe?: BotObserver<J>;
  /** Aborted on shutdown: local runs stop, record themselves interrupted and push their state. */
  shutdown?: AbortSignal;
}

/**
 * The bot's in-process state and plumbing, whatever its jobs are: the two job lanes (commands and
 * goal executions) with shutdown and idle, the seen-set and the repeated-command window a job is
 * taken through (`acceptJob`), the goals' mutex, their status comments, the runs in this process
 * and who follows their events, each repository's allowed merge methods, and a job's checkout.
 * Created when the app is loaded, never at import time.
 */
export class BotHost<J extends KeyedJob> {
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

  constructor(readonly deps: BotHostDeps<J>) {
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
  enqueue(job: J, run: (job: J) => Promise<void>, options: { coalesce?: boolean } = {}): PushOutcome {
    const observed = observedRun(job, this.deps.executeJob ?? run, this.deps.observe?.jobDone);
    return this.lanes.push(job.key, observed, options);
  }

  /**
   * Takes a job from a webhook (`acceptJob`: remembered, a repeat skipped, forgotten again when the
   * queue is full); `accepted` acknowledges it before it is queued.
   */
  accept(
    job: J & { deliveryId: string },
    run: (job: J) => Promise<void>,
    taken: { what: string; fingerprint?: string | null; accepted?: () => void },
  ): IntakeOutcome {
    const port = {
      recordOnce: (key: string, deliveryId: string) => this.seen.recordOnce(key, deliveryId),
      forget: (key: string) => this.seen.forget(key),
      sameAs: (print: string, key: string, nowMs: number) => this.recent.sameAs(print, key, nowMs),
      push: () => this.enqueue(job, run),
      nowMs: () => this.deps.clock.nowMs(),
      info: (message: string) => this.deps.reporter.info(message),
    };
    const intake = { key: job.key, deliveryId: job.deliveryId, what: taken.what };
    return acceptJob(port, { ...intake, fingerprint: taken.fingerprint ?? null }, taken.accepted);
  }

  /** The method to merge with in `repo` (`chooseMergeMethod` over its allowed methods, kept a minute), logged with why. */
  async mergeMethod(gh: BotGitHub, repo: RepoRef, setting: MergeMethod | null = null): Promise<MergeMethod> {
    const choice = chooseMergeMethod(await this.mergeMethods.of(gh, repo, this.deps.clock.nowMs()), setting);
    this.deps.reporter.info(`${repo.fullName}: merging with ${choice.method}: ${choice.why}`);
    return choice.method;
  }

  /** Resolves when both lanes are empty and tracked calls are done. */
  idle(): Promise<void> {
    return this.lanes.idle();
  }

  /** A job's checkout of `repo` (what `checkout` asks) with a fresh installation token, removed when `fn` ends. */
  async checkout<T>(
    gh: BotGitHub,
    repo: RepoRef,
    checkout: WorkspaceSpec['checkout'],
    fn: (ws: Workspace) => Promise<T>,
  ): Promise<T> {
    const { deps } = this;
    const spec: WorkspaceSpec = {
      repo,
      token: await gh.token(),
      checkout,
      stateBranch: deps.config.stateBranch,
      workDir: deps.config.workDir,
      clock: deps.clock,
      host: this.host,
      reporter: deps.reporter,
      observe: deps.observe?.workspace,
    };
    return withWorkspace(spec, fn);
  }

  /** Follows a run in this process by its events (reported through `host`), publishing its status, until stopped. */
  follow(goalId: string, publish: () => Promise<void>): { stop(): Promise<void> } {
    const live = new LiveStatus({
      publish,
      nowMs: () => this.deps.clock.nowMs(),
      warn: (message) => this.deps.reporter.warn(`goal ${goalId}: ${message}`),
      gapMs: this.deps.config.statusGapMs,
    });
    const follower = (types: readonly string[]) => live.onEvents(types);
    this.followers.set(goalId, follower);
    return {
      stop: async () => {
        if (this.followers.get(goalId) === follower) this.followers.delete(goalId);
        await live.stop();
      },
    };
  }
}
