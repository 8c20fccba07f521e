import { join } from 'node:path';
import type { Agent } from '../agents/port.js';
import { AgentUnavailableError } from '../errors.js';
import { showUntrusted } from '../graph/paths.js';
import type { TaskDraft } from '../graph/schema.js';
import { validateTaskGraph } from '../graph/validate.js';
import { agentName } from '../proof/machine-paths.js';
import type { StateFiles } from '../state/port.js';
import { agentWriteNotes } from './agent-evidence.js';
import {
  checkReplyPaths,
  PLAN_CLASSES,
  PLAN_REPLY_EXAMPLE,
  PLAN_REPLY_VERSION,
  type PlanClassification,
  type PlanReply,
  parsePlanReply,
} from './agent-reply.js';
import { budgetLeft, splitBudget } from './heuristic.js';
import type { PlanInput, Planner, PlanProposal } from './planner.js';
import { estimateTokens, type RepoFacts, renderRepoMap } from './repo-map.js';
import { askAgentSlicesOnlyWritable } from './slice-tests.js';

// The agent-backed planner: omk shows the agent a compact map of the repository and asks for a
// task graph as JSON. The reply is untrusted: zod, the path checks and the graph validator decide;
// an invalid reply gets one retry with the errors, then the heuristic plans and the notes (the
// proof's planner decision) say why.

const PLANNER = { name: 'agent', version: String(PLAN_REPLY_VERSION) } as const;
const MAX_SLICES = 8;
/** The end of the agent's output that is searched for the reply. */
const MAX_REPLY_CHARS = 1_000_000;
/** Errors quoted back to the agent or into the decision, at most. */
const MAX_ERRORS = 12;
/** One error in the decision, at most: room for omk's words and the values they quote. */
const MAX_ERROR_CHARS = 400;

export interface AgentPlannerOptions {
  agent: Agent;
  /** The most tokens the planning prompt may take (estimated at four characters a token). */
  tokenBudget: number;
  /** What the repository map is made of, gathered when a goal is planned. */
  facts(input: PlanInput): Promise<RepoFacts>;
  /** The planning agent's working directory and artifacts: never the repository itself. */
  workDir(goalId: string): string;
  /** The store the work directory and the agent's answer are reached through (it is goal state). */
  files: StateFiles;
  /** How long one planning run may take. */
  timeoutMs(input: PlanInput): number;
  /** Plans when the agent cannot, or its reply is refused twice. */
  fallback: Planner;
}

/** What omk's heuristic made of the goal: its class, or why it could not tell how to test it. */
function heuristicClass(oracle: PlanInput['oracle']): string[] {
  if (oracle.testable) {
    return [
      `Goal class: ${oracle.class ?? 'unknown'} (${oracle.shape ?? 'no oracle'}). Proof required: ${oracle.checks.join(' | ') || 'none'}`,
    ];
  }
  return [
    `Goal class: not decided. omk's heuristic found no way to test it (${oracle.reasons.join('; ') || 'no reason given'})`,
    `and would ask: ${oracle.humanDecisions.join(' | ') || 'nothing'}. Decide from the repository map: a class`,
    'with slices when the goal can be tested there, else untestable with the questions a human must answer.',
  ];
}

function instructions(input: PlanInput, cap: number): string {
  return [
    'You are the planner of omk, a delivery runtime. Do not change any file and do not run the work:',
    'answer with exactly one JSON object, the task graph for the goal below. omk validates it strictly.',
    '',
    `Goal: ${input.goalText}`,
    ...heuristicClass(input.oracle),
    `Slices: 1 to ${cap} (up to ${input.maxAgents} run at once). Constraints in the goal ("add no new dependencies",`,
    '"keep the public API") are acceptance lines on every slice, never slices of their own.',
    '',
    `Reply format (version ${PLAN_REPLY_VERSION}): {"version":${PLAN_REPLY_VERSION},"classification":{...},"slices":[...],"notes":[...]}.`,
    `classification: class (${PLAN_CLASSES.join(' | ')}), why (one line) and, for untestable, questions: what a`,
    'human must answer before the goal can be tested (then slices may be empty). Each slice has exactly',
    'id (lowercase, digits, "-"), title, role (implementer | test-author | docs-writer), reads, writes,',
    'dependsOn (ids of earlier slices), acceptance (observable checks), tests (test files it must make pass',
    'or add), risk (low | medium | high) and optionally why (which symbol or file makes these the right files).',
    'Rules: paths are repository-relative; reads name tracked files or directories; writes and tests may',
    'also name new files in an existing directory; never .git/, .github/workflows/ or secrets files.',
    'Slices with no dependsOn path between them run in parallel and must not write what the other reads',
    'or writes. No cycles. Keep write sets as small as the change: the files that define what changes.',
    'Example:',
    PLAN_REPLY_EXAMPLE,
  ].join('\n');
}

/** The prompt within `budget` tokens: the repository map gets the room the rest leaves (`tail`: a retry's errors). */
function promptFor(
  input: PlanInput,
  facts: RepoFacts,
  budget: number,
  cap: number,
  tail = '',
): string | null {
  const head = instructions(input, cap);
  const room = budget - estimateTokens(head) - estimateTokens(tail) - 20;
  if (room <= 0) return null;
  const focus = new Set((input.definitions ?? []).map((definition) => definition.path));
  const map = renderRepoMap(facts, room, focus);
  const prompt = `${head}\n\nRepository map:\n${map.text}\n${tail}`;
  return estimateTokens(prompt) > budget ? null : prompt;
}

function draftsOf(reply: PlanReply, input: PlanInput, notes: string[]): TaskDraft[] {
  const budget = splitBudget(input.budget, reply.slices.length, notes);
  return reply.slices.map((slice) => ({
    id: slice.id,
    title: slice.title,
    description:
      `${slice.title} (part of the goal "${input.goalText}"). Writes ${slice.writes.join(', ')}.` +
      (slice.tests.length > 0 ? ` Tests to make pass or add: ${slice.tests.join(', ')}.` : '') +
      (slice.why === undefined ? '' : ` Why these files: ${slice.why}`),
    ownerRole: slice.role,
    dependsOn: slice.dependsOn,
    reads: slice.reads,
    writes: slice.writes,
    risk: slice.risk,
    acceptance: [
      ...slice.acceptance,
      ...(slice.tests.length > 0 ? [`These tests pass on the head commit: ${slice.tests.join(', ')}`] : []),
    ],
    budget,
    maxRetries: slice.risk === 'high' ? 1 : 2,
  }));
}

type Attempt = (
  | { ok: true; tasks: TaskDraft[]; notes: string[]; classification: PlanClassification }
  | { ok: false; errors: string[]; retry: boolean }
) & { spent: Spent };

type Spent = NonNullable<PlanProposal['spent']>;

function sum(a: Spent, b: Spent): Spent {
  return { timeMs: a.timeMs + b.timeMs, tokens: a.tokens + b.tokens, usd: a.usd + b.usd };
}

async function readOutput(files: StateFiles, path: string): Promise<string> {
  try {
    return ((await files.readText(path)) ?? '').slice(-MAX_REPLY_CHARS);
  } catch {
    return '';
  }
}

async function attempt(
  options: AgentPlannerOptions,
  input: PlanInput,
  prompt: string,
  number: number,
  before: Spent = { timeMs: 0, tokens: 0, usd: 0 },
): Promise<Attempt> {
  const dir = options.workDir(input.goalId);
  await options.files.makeDirs(dir);
  const run = await options.agent.run({
    goalId: input.goalId,
    taskId: 'plan',
    attempt: number,
    task: {
      id: 'plan',
      title: 'Plan the goal',
      description: input.goalText,
      ownerRole: 'planner',
      reads: ['.'],
      writes: [],
      acceptance: [],
    },
    prompt,
    cwd: dir,
    timeoutMs: options.timeoutMs(input),
    artifactsDir: dir,
  });
  const spent: Spent = { timeMs: run.durationMs, tokens: run.usage.tokens ?? 0, usd: run.usage.usd ?? 0 };
  if (run.environment !== undefined) {
    // No retry and no heuristic fallback: the same agent would fail every slice the same way.
    const { words, fix } = run.environment;
    throw new AgentUnavailableError(
      `The agent ${options.agent.label} cannot run here, so it could not plan this goal: ${words}`,
      { hint: `${fix.charAt(0).toUpperCase()}${fix.slice(1)}; then run the same command again.` },
    );
  }
  if (run.outcome !== 'succeeded') {
    return {
      ok: false,
      errors: [`the agent did not answer: ${run.outcome}: ${run.summary}`],
      retry: false,
      spent,
    };
  }
  const parsed = parsePlanReply(await readOutput(options.files, run.transcript));
  if (!parsed.ok) return { ok: false, errors: parsed.errors, retry: true, spent };
  const { classification } = parsed.reply;
  const usage = run.usage.tokens === null ? '' : ` (${run.usage.tokens} tokens)`;
  if (classification.class === 'untestable') {
    // Nothing is planned until a human answers: any slices the agent drafted are not used.
    const notes = [
      `classified untestable by agent ${agentName(options.agent.name)}${usage} on attempt ${number}: ${classification.why}`,
    ];
    return { ok: true, tasks: [], notes, classification, spent };
  }
  const pathErrors = checkReplyPaths(parsed.reply, input.repoFiles, input.allowedProtectedPaths);
  if (pathErrors.length > 0) return { ok: false, errors: pathErrors, retry: true, spent };
  const notes: string[] = [];
  // The slices share what planning left: this run and the attempt before it are charged already.
  const left = { ...input, budget: budgetLeft(input.budget, sum(before, spent)) };
  const tasks = draftsOf(parsed.reply, left, notes);
  // A slice is asked only what it may write (slice-tests.ts): the rule the heuristic plans by.
  const testsOf = new Map(parsed.reply.slices.map((slice) => [slice.id, slice.tests]));
  const repaired = askAgentSlicesOnlyWritable(tasks, testsOf, input.repoFiles);
  const validated = validateTaskGraph(tasks, {
    maxTaskTimeMs: input.budget.timeMs,
    allowedProtectedPaths: input.allowedProtectedPaths ?? [],
  });
  if (validated.rejected.length > 0) {
    return {
      ok: false,
      errors: validated.rejected.map((r) => `${r.taskId}: ${r.code}: ${r.reason}`),
      retry: true,
      spent,
    };
  }
  notes.unshift(`planned by agent ${agentName(options.agent.name)}${usage} on attempt ${number}`);
  notes.push(...agentWriteNotes(parsed.reply, tasks, input));
  notes.push(...repaired);
  notes.push(...(parsed.reply.notes ?? []).map((note) => `agent: ${note}`));
  return { ok: true, tasks, notes, classification, spent };
}

function listed(errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_ERRORS).map((error) => showUntrusted(error, MAX_ERROR_CHARS));
  return shown.join('; ') + (errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '');
}

async function fallBack(
  options: AgentPlannerOptions,
  input: PlanInput,
  why: string,
  spent?: Spent,
): Promise<PlanProposal> {
  const proposal = await options.fallback.plan({ ...input, budget: budgetLeft(input.budget, spent) });
  return {
    ...proposal,
    ...(spent === undefined ? {} : { spent }),
    classificationFallback: `the agent planner was not used (${why})`,
    notes: [
      `agent planner (${agentName(options.agent.name)}) not used: ${why}; ${
        input.oracle.testable
          ? `the ${proposal.planner.name} planner planned instead`
          : `the ${proposal.planner.name} planner's verdict stands`
      }`,
      ...proposal.notes,
    ],
  };
}

function accepted(attempt: Extract<Attempt, { ok: true }>): PlanProposal {
  const { tasks, notes, classification, spent } = attempt;
  return { planner: { ...PLANNER }, tasks, notes, classification, spent };
}

export function createAgentPlanner(options: AgentPlannerOptions): Planner {
  return {
    name: PLANNER.name,
    // A goal the heuristic finds untestable is asked too: the agent's classification decides.
    classifies: true,
    async plan(input: PlanInput): Promise<PlanProposal> {
      const cap = Math.min(MAX_SLICES, Math.max(1, input.maxAgents * 2));
      const facts = await options.facts(input);
      const prompt = promptFor(input, facts, options.tokenBudget, cap);
      if (prompt === null) {
        return fallBack(
          options,
          input,
          `the planning prompt does not fit in the planner token budget of ${options.tokenBudget}`,
        );
      }
      const first = await attempt(options, input, prompt, 1);
      if (first.ok) return accepted(first);
      if (!first.retry) return fallBack(options, input, listed(first.errors), first.spent);
      const refusal = `\nYour previous reply was refused:\n${first.errors
        .slice(0, MAX_ERRORS)
        .map((error) => `- ${error}`)
        .join('\n')}\nAnswer again with one corrected JSON object.\n`;
      // The retry stays within the budget too: the repository map gives up the room the errors take.
      const again = promptFor(input, facts, options.tokenBudget, cap, refusal);
      if (again === null) {
        return fallBack(
          options,
          input,
          `reply refused (${listed(first.errors)}), and the retry prompt with these errors does not fit in the planner token budget of ${options.tokenBudget}`,
          first.spent,
        );
      }
      const second = await attempt(options, input, again, 2, first.spent);
      const spent = sum(first.spent, second.spent);
      if (second.ok) return accepted({ ...second, spent });
      return fallBack(
        options,
        input,
        `reply refused (${listed(first.errors)}), and again after a retry (${listed(second.errors)})`,
        spent,
      );
    },
  };
}

/** Where a goal's planning agent runs: artifacts/planner/ in the goal directory. */
export function plannerWorkDir(goalArtifacts: string): string {
  return join(goalArtifacts, 'planner');
}
