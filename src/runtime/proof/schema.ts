import { z } from 'zod';
import { budgetSpentSchema } from '../budget/schema.js';
import { budgetLimitsSchema, GOAL_CLASSES, PROOF_STATUSES } from '../goal/schema.js';
import { BUDGET_LIMITS, GENERAL_STEPS, GOAL_STEPS, type Hint } from '../next-steps.js';
import { singleVersion } from '../state/versioned.js';
import { EXECUTION_STATES } from './evidence.js';

/** `unavailable`: the gate's tool could not start (not installed): nobody's change can fix that. */
export const GATE_OUTCOMES = [
  'passed',
  'failed',
  'pre_existing',
  'flaky',
  'timeout',
  'skipped',
  'unavailable',
] as const;

/** At most this many names per list of a gate's `tests`; the counts stay exact. */
export const TEST_NAMES_LIMIT = 50;

/**
 * A test gate's per-test results, read from the runner's output or report. Absent (not null) when
 * none could be read: the gate was then judged by its exit code alone, and its tail says so.
 */
export const gateTestsSchema = z.object({
  /** The parser that read them: junit-xml, tap, go-test-json, cargo-test, pytest, vitest, jest, ava, mocha. */
  source: z.string(),
  /** The base commit the head's results were compared with; null: no base results to compare. */
  baseSha: z.string().nullable(),
  counts: z.object({
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    failToPass: z.number().int().nonnegative(),
    regressions: z.number().int().nonnegative(),
    stillFailing: z.number().int().nonnegative(),
    added: z.number().int().nonnegative(),
    removed: z.number().int().nonnegative(),
  }),
  /** Failing on this tree (whatever the base said). */
  failing: z.array(z.string()),
  /** Failed on the base, pass here. */
  failToPass: z.array(z.string()),
  /** Fail here and did not fail on the base: passed there, or did not exist there. */
  regressions: z.array(z.string()),
  /** Fail here and on the base. */
  stillFailing: z.array(z.string()),
  /** Only here. */
  added: z.array(z.string()),
  /** Only on the base. */
  removed: z.array(z.string()),
});
export type GateTests = z.infer<typeof gateTestsSchema>;

/**
 * A lint, format or typecheck gate's diagnostics on the head against the base's, matched by file,
 * rule and message (lines may move) and counted with multiplicity. Absent when either side's
 * output could not be read: the gate was then judged by its exit codes.
 */
export const gateDiagnosticsSchema = z.object({
  /** The output shape they were read from: tsc, rustc, biome, ruff, eslint-stylish, ... */
  source: z.string(),
  /** On the head and not on the base: any one fails the gate. */
  new: z.number().int().nonnegative(),
  /** On the base and no longer on the head. */
  fixed: z.number().int().nonnegative(),
  /** On both: the base's debt. */
  preExisting: z.number().int().nonnegative(),
  /** The first few new ones, `file:line:col rule message`. */
  firstNew: z.array(z.string()),
  /**
   * Only for a tool that lists files, not lines (prettier --check, cargo fmt --check, black,
   * gofmt -l): the files listed on both sides (at most 20). A change that breaks the formatting
   * of one of them does not show in the list, so the proof names those the change edits.
   */
  preExistingFiles: z.array(z.string()).optional(),
});
export type GateDiagnostics = z.infer<typeof gateDiagnosticsSchema>;

/** The result of one verification gate on one tree. */
export const gateEvidenceSchema = z.object({
  name: z.string(),
  /** Gate kind (test, lint, typecheck, format, ...) used to match required gates. */
  kind: z.string(),
  required: z.boolean(),
  outcome: z.enum(GATE_OUTCOMES),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  /** The commit the gate ran on; a result for another commit is stale evidence. */
  sha: z.string(),
  /** Last lines of output (the full log is an artifact). */
  tail: z.string(),
  artifact: z.string().nullable(),
  /** Per-test results (test gates whose output omk could read); absent in older proofs. */
  tests: gateTestsSchema.optional(),
  /** Diagnostics against the base (lint, format, typecheck gates that failed); absent in older proofs. */
  diagnostics: gateDiagnosticsSchema.optional(),
  /**
   * A test gate whose tests all pass on the head while its run fails, as the base's does, where
   * failing tests explained the base's failure, or the base's tests passing, the head misses coverage
   * thresholds only as much as the base or one by more (gates/test-verdict.ts): the head's last lines that name what failed beyond its tests, and each
   * coverage threshold it misses against the base's figure for it. Pre-existing only when all it
   * names is thresholds the base misses too, by as much or more. Absent otherwise.
   */
  beyondTests: z.object({ lines: z.string(), coverage: z.array(z.string()) }).optional(),
  /**
   * `true`: a failed test gate whose run on the head reported no per-test results while its run on
   * the base reported them: the change stopped its tests from running (gates/verify.ts). Absent otherwise.
   */
  stoppedOnHead: z.literal(true).optional(),
  /**
   * `block`: .omk/config.yml says a failure made only of the base's own failing tests or
   * diagnostics still blocks readiness. Absent: it does not (the default, `allow`).
   */
  preExisting: z.enum(['allow', 'block']).optional(),
  /**
   * The integrated tree's gate taken from a slice's run in the same controller run: the slice, the
   * commit its gates ran on and that commit's tree, which is the integrated head's tree
   * (gates/reuse.ts). Absent: the gate ran on `sha` itself.
   */
  reusedFrom: z.object({ slice: z.string(), sha: z.string(), tree: z.string() }).optional(),
});
export type GateEvidence = z.infer<typeof gateEvidenceSchema>;

/** A gate the plan will run, before any ran: its name, kind and whether it blocks the goal. */
export const plannedGateSchema = z.object({ name: z.string(), kind: z.string(), required: z.boolean() });
export type PlannedGateEvidence = z.infer<typeof plannedGateSchema>;

export const findingSchema = z.object({
  review: z.enum(['controller', 'security']),
  severity: z.enum(['info', 'warning', 'blocking']),
  message: z.string(),
  paths: z.array(z.string()),
  /**
   * What kind of finding it is, for the few a proof treats on their own (`gate_definition_edited`);
   * absent on the others and in findings recorded before it.
   */
  code: z.string().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * A finding as the proof lists it: with the slice whose review found it, or null when the
 * integrated tree's did. Absent in proofs written before the field existed (their digests hold).
 */
export const proofFindingSchema = findingSchema.extend({ slice: z.string().nullable().optional() });
export type ProofFinding = z.infer<typeof proofFindingSchema>;

export const changedFileSchema = z.object({
  path: z.string(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});

export const sliceEvidenceSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  branch: z.string().nullable(),
  headSha: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  changedFiles: z.array(changedFileSchema),
});

export const agentRunEvidenceSchema = z.object({
  taskId: z.string(),
  attempt: z.number().int().positive(),
  agent: z.string(),
  exitCode: z.number().int().nullable(),
  outcome: z.enum(['succeeded', 'failed', 'timeout', 'crashed', 'cancelled']),
  durationMs: z.number().nonnegative(),
  tokens: z.number().nonnegative().nullable(),
  usd: z.number().nonnegative().nullable(),
  transcript: z.string().nullable(),
});

const nextStepSchema = z.union([
  // `limit`: the budget a `budget_add` step raises (its example is of that limit; time when absent).
  z.object({ step: z.enum(GOAL_STEPS), goalId: z.string(), limit: z.enum(BUDGET_LIMITS).optional() }),
  z.object({ step: z.enum(GENERAL_STEPS) }),
]);
/** A hint as proof.json holds it (next-steps.ts's `Hint`). */
const hintSchema: z.ZodType<Hint> = z.array(z.union([z.string(), nextStepSchema]));

/**
 * Why the proof is not ready. `message` is neutral text; `hint` (optional, absent in proofs
 * written before it) says what to do next with steps as data, spelled by whoever renders the gap.
 */
export const gapSchema = z.object({ code: z.string(), message: z.string(), hint: hintSchema.optional() });
export type Gap = z.infer<typeof gapSchema>;

export const failureEvidenceSchema = z.object({
  code: z.string(),
  message: z.string(),
  evidence: z.string(),
});

export const lifecycleRecordSchema = z.object({
  at: z.string(),
  eventSeq: z.number().int().positive(),
  text: z.string(),
  /** Who did it, as the front door knew them (a forge login); absent when it did not say (the CLI). */
  by: z.string().optional(),
});

export const deliverySchema = z.object({
  acceptance: lifecycleRecordSchema.nullable(),
  rejection: lifecycleRecordSchema.nullable(),
  cancellation: lifecycleRecordSchema.nullable(),
  merge: z
    .object({ at: z.string(), eventSeq: z.number().int().positive(), sha: z.string(), target: z.string() })
    .nullable(),
  pullRequests: z.array(
    z.object({
      sliceId: z.string().nullable(),
      url: z.string(),
      number: z.number().int(),
      headSha: z.string().nullable().default(null),
      checkRunId: z.number().int().nullable().default(null),
    }),
  ),
  /** The last delivery a person stopped (`delivery_withheld`): what stays open, what was withheld. */
  withheld: z
    .object({
      at: z.string(),
      eventSeq: z.number().int().positive(),
      status: z.string(),
      policy: z.string(),
      opened: z.array(z.number().int()),
      withheld: z.array(z.string()),
    })
    .optional(),
  /** The last gated-merge evaluation: what the forge said about checks and reviews, and the verdict. */
  mergeEvaluation: z
    .object({
      at: z.string(),
      eventSeq: z.number().int().positive(),
      pr: z.number().int(),
      merge: z.boolean(),
      reasons: z.array(z.object({ blocker: z.string(), detail: z.string() })),
      checks: z.array(z.object({ name: z.string(), state: z.string() })),
      reviews: z.object({ approvals: z.number().int(), changesRequested: z.boolean() }).nullable(),
    })
    .nullable()
    .default(null),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const proofSchema = z.object({
  version: z.literal(1),
  goalId: z.string(),
  status: z.enum(PROOF_STATUSES),
  generatedAt: z.string(),
  /** How far execution got when this proof was built. */
  execution: z.enum(EXECUTION_STATES),
  goal: z.object({ text: z.string(), class: z.enum(GOAL_CLASSES).nullable() }),
  /** The trees this proof is about. It is stale when shown for any other base or head. */
  git: z.object({
    baseRef: z.string().nullable(),
    baseSha: z.string().nullable(),
    headSha: z.string().nullable(),
  }),
  /** Gate kinds the oracle requires (a kind with no gate that ran is the gap gate_missing). */
  requiredGates: z.array(z.string()),
  /**
   * The names of the gates that ran and must pass: of a kind in requiredGates or marked required
   * (a custom gate with `required: true`), each once, in the order they first ran. Absent in
   * proofs written before it existed.
   */
  requiredGateNames: z.array(z.string()).optional(),
  /**
   * Before any gate ran: the gates the plan will run (the latest `gates_required` event), so the
   * proof names each required one with its kind. Absent once a gate ran, and in proofs written before.
   */
  plannedGates: z.array(plannedGateSchema).optional(),
  gates: z.array(gateEvidenceSchema),
  slices: z.array(sliceEvidenceSchema),
  changedFiles: z.array(changedFileSchema),
  agentRuns: z.array(agentRunEvidenceSchema),
  findings: z.array(proofFindingSchema),
  decisions: z.array(z.object({ kind: z.string(), decision: z.string(), reason: z.string() })),
  budget: z.object({ limits: budgetLimitsSchema, spent: budgetSpentSchema }),
  knownGaps: z.array(gapSchema),
  failures: z.array(failureEvidenceSchema),
  warnings: z.array(z.string()),
  humanDecisions: z.array(z.string()),
  delivery: deliverySchema,
  /** The last event this proof accounts for. */
  eventsThroughSeq: z.number().int().nonnegative(),
  /** sha256 of the canonical JSON of every other field. */
  digest: z.string(),
});
export type Proof = z.infer<typeof proofSchema>;

export const proofVersioned = singleVersion('proof.json', 1, proofSchema);
