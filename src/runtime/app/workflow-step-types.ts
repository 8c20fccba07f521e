import type { DeliveryPlan } from '../delivery/plan.js';
import type { MergeMethod } from '../forge/port.js';
import type { ReviewReplies } from '../forge/review-replies.js';
import type { Proof } from '../proof/schema.js';
import type { CreateGoalRequest } from '../requests.js';
import type { RemoteStateStore } from '../state/remote.js';
import type { AgentChoice } from './agent.js';
import type { AppDeps, SharedState } from './deps.js';
import type { FanOutHost } from './fan-out.js';
import type { AppNote, WithheldNote } from './notes.js';
import type { SliceWave } from './queries.js';
import type { ReviewAsk, ReviewForge } from './review-fix.js';
import type { SharedStepNotice } from './shared-step-notices.js';
import type { StartRequestField } from './start-options.js';
import type { SiblingCellError, WorkflowRunPlace } from './workflow-cell.js';
import type { WorkflowStep } from './workflow-steps.js';

/**
 * Why a workflow step refuses before it does anything, as data the host words as its error: the
 * goal is not on the shared state, the slice is not in its plan, another cell of the matrix job
 * holds the goal, or a fix step's event is not a review of a PR that names a goal.
 */
export type WorkflowRefusal =
  | { code: 'not_on_state_branch'; goalId: string; missing: 'branch' | 'goal' }
  | { code: 'unknown_slice'; goalId: string; slice: string; slices: string[] }
  | { code: 'sibling_cell'; error: SiblingCellError }
  | { code: 'not_a_review' }
  | { code: 'not_an_omk_pr'; pr: number | null; branch: string | null }
  /** accept by no one the job can name, by a bot, or by a person without write access. */
  | { code: 'accept_refused'; person: WorkflowPerson };

/** Who started the job (the workflow run's triggering actor), as the forge answered about them. */
export interface WorkflowPerson {
  /** null: the job names no one. */
  login: string | null;
  /** A GitHub App or other bot account (`…[bot]`): not a person. */
  bot: boolean;
  /** Write, maintain or admin on the repository (asked of the forge, never read from the event). */
  write: boolean;
  /** The role the forge named, for the message. */
  role: string;
}

/** What a workflow step tells its log while it works, at the level given. */
export type WorkflowStepNotice =
  | SharedStepNotice
  | { kind: 'pulled'; level: 'info'; goalId: string; commit: string }
  | { kind: 'merged'; level: 'info'; pr: number; sha: string }
  | { kind: 'runner_branches'; level: 'warn'; why: string };

/**
 * Why a step that ran fails anyway (beyond its proof): a refused merge, an unfinished slice, a
 * delivery a person stopped part-way (its note: what stays open, what was not opened).
 */
export type WorkflowStepFailure =
  | { code: 'merge_blocked'; goalId: string; pr: number; blockedBy: string; reasons: string[] }
  | { code: 'slice_unfinished'; slice: string; outcome: string; failure: string | null }
  | { code: 'delivery_withheld'; goalId: string; note: WithheldNote };

/** What a step reports besides its proof: the runtime's notes, and a few of a workflow's own. */
export type WorkflowStepNote =
  | AppNote
  | { code: 'open_pr_dry_run' }
  | { code: 'nothing_to_fix'; why: string }
  | { code: 'fix_no_write'; author: string; role: string }
  | { code: 'accepted'; goalId: string; by: string; previous: string }
  | { code: 'merge_not_evaluated'; detail: string };

/** What a workflow step came to, as data: the host turns it into outputs, a summary and a verdict. */
export interface WorkflowStepOutcome {
  command: WorkflowStep;
  goalId: string;
  proof: Proof;
  proofPath: string;
  /** The plan's slices by wave: what a matrix job needs to run one slice. */
  slices: SliceWave[];
  /** Whether the proof's status decides the step (run, execute, status, integrate, a fix that ran). */
  judged: boolean;
  failure: WorkflowStepFailure | null;
  notes: WorkflowStepNote[];
  /** open-pr, or run and execute with a dry run: what delivery would do. */
  dryRunPlan: DeliveryPlan | null;
  /** status or execute with a slice: that slice's status in the proof. */
  sliceStatus: string | null;
}

/** What one CI job gives a workflow step: the use cases' deps and the job's own plumbing. */
export interface WorkflowStepHost {
  /** The use cases' dependencies; the goal's truth is shared on `app.shared.remote`. */
  app: AppDeps & { shared: SharedState };
  /** The goal directories on the state branch. */
  remote: RemoteStateStore;
  /** The checkout the job works in (a goal another runner created is pointed at it). */
  repoRoot: string;
  /** Runs `fn` with a signal that aborts when the job is told to stop (a cancelled workflow). */
  abortable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** The agent the step asks for, with the config it reads. */
  agent(): Promise<AgentChoice>;
  /** The goal's branches from the repository (other jobs' slices, the PR branch a fix works on). */
  fetchBranches(goalId: string): Promise<void>;
  publishBranch: FanOutHost['publishBranch'];
  /** Answers a review's threads. */
  replies(): ReviewReplies;
  /** The review that started the job (null: the event is not one), and the forge it is checked on. */
  review(): Promise<{ ask: ReviewAsk | null; forge: ReviewForge }>;
  notify(notice: WorkflowStepNotice): void;
  /** Who started the job: an accept is theirs. */
  person(): Promise<WorkflowPerson>;
  /** The host's error for a refusal; the step throws it. */
  refusal(refusal: WorkflowRefusal): Error;
}

/**
 * The options run and plan create a goal with: the start options the Action offers
 * (app/start-options.ts); `policy` is also the one open-pr delivers by. `untilReady` is recorded on
 * the goal: the steps after plan (execute, integrate) follow it; `allowGateEdits` and
 * `allowWorkflowEdits` too, before any agent runs (the workflow's author declared it).
 */
export type WorkflowGoalOptions = Pick<CreateGoalRequest, StartRequestField<'action'>>;

export interface WorkflowStepRequest {
  step: WorkflowStep;
  /** The goal every step but run and plan works on (fix may take it from the PR's branch). */
  goalId: string | undefined;
  slice: string | undefined;
  /** run and plan: the goal text to create, normalized and as given, and the matrix cell's key. */
  goal: { text: string; raw: string; key: string | undefined } | undefined;
  options: WorkflowGoalOptions;
  /** Where the step runs (a saved goal's id and its matrix cell derive from it). */
  place: Omit<WorkflowRunPlace, 'hostname'>;
  dryRun: boolean;
  /** The base PRs target, else the goal's branch, else `fallbackBase` (the event's default branch). */
  base?: string;
  fallbackBase?: string;
  method: MergeMethod;
  /** accept: what the person checked. */
  summary?: string;
}

/** What a step that ran sets of its outcome; the rest is read back from the goal's state. */
export type WorkflowStepRan = Partial<
  Omit<WorkflowStepOutcome, 'command' | 'goalId' | 'proof' | 'proofPath' | 'slices'>
>;
