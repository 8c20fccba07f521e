// The use cases: what every front door calls. A front door parses its input, composes AppDeps
// from the adapters that fit its host, calls one of these and renders the result.

export {
  addBudget,
  type BudgetCap,
  type BudgetOver,
  type BudgetView,
  budgetView,
} from '../budget/ops.js';
export { configPathProblem } from '../config/load.js';
export {
  type OperatorAgents,
  type RepoAccessRefusal,
  type RepoAgentSetting,
  type RepoAgentVerdict,
  type RepoSettings,
  type RepoSettingsIssue,
  type RepoSettingsRead,
  readRepoSettings,
  repoAccessVerdict,
  repoAgentKey,
  repoAgentVerdict,
} from '../config/repo-settings.js';
export { workspaceSetupSchema } from '../config/schema.js';
export type { ExecuteResult } from '../controller/execute.js';
export { type ExecutionStateRecord, readExecution } from '../controller/execution-state.js';
export type { DeliverResult } from '../delivery/deliver.js';
export type { MergeGoalResult } from '../delivery/merge.js';
export type { DeliveryPlan } from '../delivery/plan.js';
export { runDoctor } from '../doctor/doctor.js';
export {
  BusyError,
  ConfigError,
  type ErrorCode,
  ForgeError,
  GitError,
  isOmkError,
  NotFoundError,
  OmkError,
  PolicyViolationError,
  RequestError,
  UsageError,
} from '../errors.js';
export {
  type RunProgress,
  type RunStop,
  runProgress,
  type SliceProgress,
  type SliceState,
} from '../events/progress.js';
export { renderReplayJson, renderReplayText } from '../events/replay.js';
export { MERGE_METHODS, type MergeMethod } from '../forge/port.js';
export {
  applyLifecycle,
  type LifecycleResult,
  relocateGoal,
  resumeContinuesExecution,
  resumeOrphans,
} from '../goal/actions.js';
export { briefPlannerWhy, type CreatedGoal } from '../goal/create.js';
export { checkGoalRef, GOAL_ID_PATTERN, newGoalId } from '../goal/ids.js';
export type { LifecycleAction } from '../goal/lifecycle.js';
export { type GoalOrigin, readOrigin, recordOrigin } from '../goal/origin.js';
export {
  goalShow,
  goalStatus,
  readEvents,
  readProof,
  type ShowView,
  type StatusView,
} from '../goal/queries.js';
export type { RepoScope } from '../goal/repo-scope.js';
export {
  type BudgetLimits,
  DELIVERY_POLICIES,
  type DeliveryPolicy,
  type GoalRecord,
  TERMINAL_STATUSES,
} from '../goal/schema.js';
export {
  branchNameProblem,
  DEFAULT_STATE_BRANCH,
  goalBranchPrefix,
  INTEGRATION_ID,
  parseOmkBranch,
  shownBranch,
  shownText,
  stateBranchProblem,
} from '../graph/branches.js';
export { quoteUntrusted } from '../graph/paths.js';
export { SLICE_ID_PATTERN, type Task } from '../graph/schema.js';
export type { GateEvidence, Proof } from '../proof/schema.js';
export { type RequestField, type RequestIssue, requestIssueOf, type TextField } from '../request-issues.js';
export {
  type BudgetAddRequest,
  budgetAddRequestSchema,
  budgetInputSchema,
  type CreateGoalRequest,
  createGoalRequestSchema,
  deliveryPolicySchema,
  goalTextSchema,
  mergeMethodSchema,
  parseRequest,
  sandboxModeSchema,
  summaryTextSchema,
} from '../requests.js';
export {
  type NetworkPolicy,
  SANDBOX_MODES,
  SANDBOX_NETWORKS,
  type SandboxMode,
  type SandboxNetwork,
} from '../sandbox/port.js';
export { goalsDir, privateStateDir, workspacesDir } from '../state/paths.js';
export { type ArgvProblem, argvOfLine } from '../text/argv.js';
// Request and result types, and the errors the use cases throw.
export { formatDuration } from '../text/duration.js';
export {
  type Access,
  type AccessRequest,
  type AccessVerdict,
  accessOf,
  accessVerdict,
  allows,
  obeysSender,
  type PermissionAnswer,
  requiredAccess,
} from './access.js';
export { type AgentChoice, type PreparedAgent, prepareAgent, withAgentArgs } from './agent.js';
// h-cli
export { type AgentFlags, agentChoiceOf } from './agent-flags.js';
export {
  findUntrustedCustomAgent,
  type RepoCustomAgents,
  type ThreadAgentStep,
  type UntrustedCustomAgent,
  untrustedAgentOfStep,
} from './agent-trust.js';
export {
  type AskedAt,
  type AskedFixRequest,
  askedChange,
  askedChangeText,
  fixAskedChange,
} from './asked-change.js';
export { type Baseline, testBaseline } from './baseline.js';
export { refusedWhileRunning, type WhileRunningRequest } from './busy.js';
export {
  type ChangeRequestRead,
  type ChangeTextProblem,
  changeTextProblem,
  commandChangeRequest,
  commentChangeRequest,
  type ReviewCommentMade,
  type ReviewRequests,
  type ReviewSubmitted,
  reviewChangeRequest,
  reviewChangeRequests,
  uniqueById,
} from './change-requests.js';
export { type CleanOutcome, cleanAllGoals, cleanGoal } from './clean.js';
export {
  type CommandWords,
  commandVocabulary,
  type FieldUseCase,
  fieldUseCase,
  kebabName,
} from './command-words.js';
export { type ControlWait, untilControlled } from './control.js';
export { composeController } from './controller.js';
export type { AfterExecution, DeliveryOptions } from './deliver.js';
export {
  baseFor,
  deliveryTarget,
  draftConflict,
  keepsBranchesLocally,
  MACHINELESS_DEFAULT_POLICY,
  type TargetRequest,
} from './delivery-target.js';
export { type DemoBaseline, type DemoOutcome, type DemoRequest, runDemo } from './demo.js';
export type { AppDeps, Env, ExecutionHost, GoalCleaner, SharedState } from './deps.js';
export { errorWords } from './error-words.js';
export { type ExecuteOutcome, type ExecuteRequest, executeAndDeliver, reverify } from './execute.js';
export {
  demoVerdict,
  doctorVerdict,
  type ExitVerdict,
  errorVerdict,
  proofReadVerdict,
} from './exit-verdict.js';
export {
  executeOneSlice,
  type FanOutHost,
  type IntegrateOutcome,
  integrateSlices,
  type SliceJobOutcome,
} from './fan-out.js';
export {
  type ChangeRequest,
  type FixOutcome,
  type FixRequest,
  fixPullRequest,
  type ReviewReplies,
} from './fix.js';
export { FixBatches } from './fix-batches.js';
export { type FixReport, fixReply } from './fix-reply.js';
export { type FixTarget, type FixTargetRequest, fixGoalId, fixTarget } from './fix-target.js';
export { type ForkExecution, forkExecution, type PullRequestRepos } from './fork-execution.js';
export {
  type GateAnnotation,
  gateAnnotationsOf,
  type LoggedGateAnnotation,
  loggedGateAnnotations,
} from './gate-annotations.js';
export { type GoalList, listGoals, resolveGoal } from './goal-ref.js';
export {
  type GateGroup,
  type GoalReport,
  gateGroups,
  goalReport,
  pullRequestOf,
  sliceStatusIn,
  unknownSlice,
} from './goal-report.js';
export {
  fixNote,
  notStartedNote,
  type ResumeFollowUp,
  resumeFollowUp,
  type SharedGoalNeeds,
  type SharedGoalVerb,
  sharedGoalNeeds,
} from './goal-steps.js';
export { type HudGoal, type HudSnapshot, type HudWorker, hudActive, hudSnapshot } from './hud.js';
export { followHud } from './hud-follow.js';
// h-bot2
export {
  acceptJob,
  commandFingerprint,
  type IntakeJob,
  type IntakeOutcome,
  type IntakePort,
  observedRun,
  type QueueOutcome,
  REPEAT_WINDOW_MS,
} from './job-intake.js';
export {
  integratedNotes,
  judgeProof,
  type ProofJudgement,
  type SliceJobReport,
  type StepVerdict,
  sliceJobReport,
  stepVerdict,
} from './judgement.js';
export {
  changeLifecycle,
  type LifecycleChange,
  lifecycleText,
  type OrphansResumed,
  resumeAllOrphans,
  resumeOrphansHere,
} from './lifecycle.js';
export {
  machinelessStartRequest,
  REPO_PLACEHOLDER,
  type ThreadStartFields,
} from './machineless-start.js';
export {
  type MergeCheck,
  type MergeOutcome,
  type MergeRequest,
  mergeIntegrator,
  recheckMerge,
} from './merge.js';
export { chooseMergeMethod, integratorGoals, type MergeMethodChoice } from './merge-signal.js';
export { type AppNote, describeNote, mergeNote, saidByProgress, type WithheldNote } from './notes.js';
export { type OpenPrOutcome, type OpenPrRequest, openPullRequests } from './open-pr.js';
export { goalHasEnded, goalProgress, goalView, type SliceWave, sliceWaves } from './queries.js';
export { REPO_COMMAND_AGENT, repoAgentChoice, repoPlanningAgent, repoRunAgent } from './repo-agent.js';
export { type BudgetOverCap, type RepoDefaultsOutcome, withRepoDefaults } from './repo-defaults.js';
// h-action
// h-bot
export {
  loadRepoSettings,
  REPO_SETTINGS_FILE,
  type RepoSettingsFile,
  type RepoSettingsLoad,
  repoAccessRefusal,
  repoBudgetCap,
  withRepoSettings,
} from './repo-settings-rules.js';
export {
  deliveredReport,
  deliveredVerdict,
  executedReport,
  fixRan,
  fixVerdict,
  type GoalSummary,
  type GoalVerdict,
  goalSummary,
  listReport,
  mergeReport,
  mergeVerdict,
  type RunVerdict,
  runVerdict,
  type SliceTally,
  type StatusReport,
  settledVerdict,
  sliceTally,
  statusReport,
  transitionOf,
  transitionReport,
  withheldVerdict,
} from './reports.js';
export {
  type ReviewAsk,
  type ReviewFixRequests,
  type ReviewForge,
  reviewFixRequests,
  withReviewComments,
} from './review-fix.js';
export { movesRunPhase } from './run-phase.js';
export { type RunProgressMode, type RunProgressView, runProgressMode } from './run-progress-mode.js';
export {
  derivedGoalId,
  planSharedGoal,
  pullSharedGoal,
  pullSharedGoals,
  resolveSharedGoal,
  type SharedGoal,
  type SharedStart,
  type ThreadOrigin,
  threadIdSuffix,
  type WorkflowRunKey,
  workflowRunIdSuffix,
} from './shared-goal.js';
export { sharedPollMs } from './shared-poll.js';
export {
  type SharedStartOutcome,
  type SharedStartRequest,
  type SharedStartSaves,
  startSharedGoal,
} from './shared-start.js';
export {
  type PulledGoal,
  type SharedGoalPull,
  type SharedStepOutcome,
  type SharedStepPorts,
  type SharedStepRequest,
  withPreparedSharedGoal,
  withSharedGoal,
} from './shared-step.js';
export { proofNotice, type SharedStepNotice, savedNotice } from './shared-step-notices.js';
export { type StartOutcome, type StartRequest, startGoal } from './start.js';
export {
  flaggedStartInput,
  namedStartFields,
  pickStartOptions,
  START_OPTIONS,
  type StartFlags,
  type StartOptionField,
  startOptionsOf,
  startRequestInput,
} from './start-options.js';
export { statusThread } from './status-thread.js';
// h-bot (session 13)
export {
  fixAnswer,
  goalCommandOnThread,
  type ThreadAnswer,
  type ThreadPlace,
} from './thread-answer.js';
export { commandOnThread, type ThreadCommand, type ThreadCommandRequest } from './thread-command.js';
export { fixOnThread, type ThreadFix, type ThreadFixRequest } from './thread-fix.js';
// h-bot
export {
  fixJobOnThread,
  fixRefusal,
  type ThreadFixJob,
  type ThreadFixJobAnswers,
  type ThreadFixJobRequest,
} from './thread-fix-job.js';
export {
  type ActiveRun,
  onSharedGoal,
  onSharedGoalThen,
  THREAD_PHASES,
  type ThreadCheckout,
  type ThreadHost,
  type ThreadNote,
  type ThreadPhase,
  type TrustedStep,
} from './thread-host.js';
export {
  commandStepPlan,
  executeStepPlan,
  fixStepPlan,
  mergeCheckStepPlan,
  readStepPlan,
  type SharedStepPlan,
} from './thread-job.js';
export { type ThreadJobCommand, type ThreadJobPort, threadJobSteps } from './thread-job-steps.js';
export { checkMergeOnThread, type ThreadMergeCheck, type ThreadMergeCheckRequest } from './thread-merge.js';
export { type RepoMergeCheck, repoCheckMergeOnThread } from './thread-repo-merge.js';
// h-bot
export {
  type RepoStartRequest,
  repoGoalCommandOnThread,
  repoRunOptions,
  repoStartOnThread,
  type ThreadRepo,
} from './thread-repo-run.js';
export {
  continueOnThread,
  resumeOnThread,
  startOnThread,
  type ThreadContinuation,
  type ThreadRunHost,
  type ThreadRunOptions,
  type ThreadStart,
  type ThreadStartRequest,
} from './thread-run.js';
export { commandSettings } from './thread-settings.js';
export { type ThreadStatusAsk, threadStatusComment } from './thread-status.js';
export {
  type ThreadGoalCommand,
  type ThreadStepPlan,
  type ThreadStepRequest,
  type ThreadStepResult,
  threadGoalStep,
  threadStepPlan,
} from './thread-step.js';
export { untrustedAgentHere, untrustedGoalAgent, untrustedResumeAgent } from './thread-trust.js';
export { type HostVocabulary, plainVocabulary } from './vocabulary.js';
export {
  type GateTail,
  GoalWatch,
  type WatchGoalOptions,
  type WatchOptions,
  type WatchSlice,
  type WatchStop,
  type WatchTick,
  type WatchView,
  watchGoal,
} from './watch.js';
export {
  SiblingCellError,
  type WorkflowCell,
  type WorkflowRunPlace,
  workflowGoalIdentity,
} from './workflow-cell.js';
export { workflowCommandIn } from './workflow-command.js';
export {
  type GoalBranchesSource,
  goalBranchesFor,
  type WorkflowFixStart,
  workflowFixStart,
} from './workflow-fix.js';
// h-action2
export {
  goalKeyProblem,
  type WorkflowInputField,
  type WorkflowInputIssue,
  type WorkflowInputs,
  workflowInputIssues,
} from './workflow-inputs.js';
// h-action
export { runWorkflowStep } from './workflow-step.js';
export type {
  WorkflowGoalOptions,
  WorkflowRefusal,
  WorkflowStepFailure,
  WorkflowStepHost,
  WorkflowStepNote,
  WorkflowStepNotice,
  WorkflowStepOutcome,
  WorkflowStepRequest,
} from './workflow-step-types.js';
export {
  privilegedPrEvent,
  WORKFLOW_STEP_NAMES,
  type WorkflowStep,
  type WorkflowStepTrait,
  warnsLocalPolicy,
  workflowDelivery,
  workflowStepHas,
  workflowStepsWhere,
} from './workflow-steps.js';
