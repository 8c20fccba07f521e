// The use cases: what every front door calls. A front door parses its input, composes AppDeps
// from the adapters that fit its host, calls one of these and renders the result.

export { addBudget, type BudgetView, budgetView } from '../budget/ops.js';
export type { DeliverResult } from '../delivery/deliver.js';
export type { MergeGoalResult } from '../delivery/merge.js';
export type { DeliveryPlan } from '../delivery/plan.js';
export {
  applyLifecycle,
  type LifecycleResult,
  relocateGoal,
  resumeContinuesExecution,
  resumeOrphans,
} from '../goal/actions.js';
export type { CreatedGoal } from '../goal/create.js';
export { type GoalOrigin, readOrigin, recordOrigin } from '../goal/origin.js';
export { readProof } from '../goal/queries.js';
export { type AgentChoice, type PreparedAgent, prepareAgent, withAgentArgs } from './agent.js';
export { type Baseline, testBaseline } from './baseline.js';
export { composeController } from './controller.js';
export type { AfterExecution, DeliveryOptions } from './deliver.js';
export { baseFor, deliveryTarget, type TargetRequest } from './delivery-target.js';
export type { AppDeps, Env, ExecutionHost, SharedState } from './deps.js';
export { type ExecuteOutcome, type ExecuteRequest, executeAndDeliver, reverify } from './execute.js';
export {
  executeOneSlice,
  type FanOutHost,
  type IntegrateOutcome,
  integrateSlices,
  type SliceJobOutcome,
} from './fan-out.js';
export { type MergeCheck, type MergeRequest, mergeIntegrator, recheckMerge } from './merge.js';
export { type AppNote, describeNote, mergeNote } from './notes.js';
export { type OpenPrOutcome, type OpenPrRequest, openPullRequests } from './open-pr.js';
export { goalView, type SliceWave, sliceWaves } from './queries.js';
export { type StartOutcome, type StartRequest, startGoal } from './start.js';
export { type HostVocabulary, plainVocabulary } from './vocabulary.js';
