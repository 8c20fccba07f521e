import type { SkippedLine } from '../events/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import type { Clock } from '../ports.js';
import { appendSequenced, readJsonl, readLastJsonl } from '../state/jsonl.js';
import type { StateFiles } from '../state/port.js';
import { type BudgetCheckpoint, type BudgetSpent, budgetCheckpointSchema, ZERO_SPENT } from './schema.js';

export const BUDGET_VERSION = 1;

const parseCheckpoint = (value: unknown): BudgetCheckpoint => budgetCheckpointSchema.parse(value);

/** Appends a checkpoint to budget.jsonl; `spent` is cumulative, so the last line is the total. */
export async function appendCheckpoint(
  files: StateFiles,
  path: string,
  clock: Clock,
  entry: Pick<BudgetCheckpoint, 'kind' | 'limits' | 'spent' | 'note'>,
): Promise<BudgetCheckpoint> {
  const [written] = await appendSequenced(files, path, parseCheckpoint, [
    (seq) => ({ v: BUDGET_VERSION, seq, ts: clock.nowIso(), ...entry }),
  ]);
  if (!written) throw new Error('appendSequenced returned no record');
  return written;
}

export async function readCheckpoints(
  files: StateFiles,
  path: string,
): Promise<{ checkpoints: BudgetCheckpoint[]; skipped: SkippedLine[] }> {
  const { records, skipped } = await readJsonl(files, path, parseCheckpoint, BUDGET_VERSION);
  return { checkpoints: records, skipped };
}

/** Total spend so far, from the last checkpoint only (cost independent of history length). */
export async function currentSpent(files: StateFiles, path: string): Promise<BudgetSpent> {
  return (await readLastJsonl(files, path, parseCheckpoint))?.spent ?? ZERO_SPENT;
}

export interface BudgetRemaining {
  timeMs: number | null;
  tokens: number | null;
  usd: number | null;
}

/** What is left of each limit (null = unlimited); never negative. */
export function remaining(limits: BudgetLimits, spent: BudgetSpent): BudgetRemaining {
  const left = (limit: number | null, used: number) => (limit === null ? null : Math.max(0, limit - used));
  return {
    timeMs: left(limits.timeMs, spent.timeMs),
    tokens: left(limits.tokens, spent.tokens),
    usd: left(limits.usd, spent.usd),
  };
}

/** Limits after adding to them; adding to an unlimited budget sets a limit of spent + added. */
export function addToLimits(
  limits: BudgetLimits,
  spent: BudgetSpent,
  add: Partial<Record<keyof BudgetLimits, number>>,
): BudgetLimits {
  const plus = (limit: number | null, used: number, extra: number | undefined) =>
    extra === undefined ? limit : (limit ?? used) + extra;
  const usd = plus(limits.usd, spent.usd, add.usd);
  return {
    timeMs: plus(limits.timeMs, spent.timeMs, add.timeMs),
    tokens: plus(limits.tokens, spent.tokens, add.tokens),
    // Cents and fractions of them only: avoid 0.1 + 0.2 in a persisted limit.
    usd: usd === null ? null : Math.round(usd * 10_000) / 10_000,
  };
}
