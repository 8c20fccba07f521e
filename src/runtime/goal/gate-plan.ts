import { planRequiredGates } from '../controller/required-gates.js';
import type { EventInput, GoalEvent } from '../events/schema.js';
import type { GateSpec } from '../gates/port.js';
import { checksWithGates, GATE_KINDS } from './intake-checks.js';
import type { Oracle } from './schema.js';

/** A gate the goal's worktrees will run, as the plan shows it. */
export interface PlannedGate {
  name: string;
  kind: string;
  /** Whether a failure blocks readiness (its kind is required, or it is marked required). */
  required: boolean;
  argv: string[];
}

/** What a plan says of its gates: what will run, and which kinds its class asks for are absent. */
export interface PlannedGates {
  /** The gates detected at the goal's base commit and configured, in running order. */
  run: PlannedGate[];
  /** Kinds the class asks for that the project has no gate of: not required. */
  absent: string[];
  /** Why each kind was kept or dropped (recorded as decisions, kind `gates`). */
  notes: string[];
}

/**
 * Every kind the oracle asked for: the required ones and those found absent before, in gate order,
 * so reconciling again with other gates (a config edited since) starts from the class's whole ask.
 */
export function wantedGates(oracle: Pick<Oracle, 'requiredGates' | 'absentGates'>): string[] {
  const wanted = new Set([...oracle.requiredGates, ...(oracle.absentGates ?? [])]);
  const known: readonly string[] = GATE_KINDS;
  return [...GATE_KINDS.filter((kind) => wanted.has(kind)), ...[...wanted].filter((k) => !known.includes(k))];
}

/**
 * The oracle reconciled with the gates the project has (planRequiredGates): a kind with no gate
 * moves from `requiredGates` to `absentGates` (except `test`, which stays required and missing),
 * and the success check naming the static gates names only the kept ones.
 */
export function reconcileOracle(
  oracle: Oracle,
  detected: readonly GateSpec[],
): { oracle: Oracle; gates: PlannedGates } {
  const wanted = wantedGates(oracle);
  const plan = planRequiredGates(wanted, detected);
  const absent = wanted.filter((kind) => !plan.required.includes(kind));
  const gates: PlannedGates = {
    run: plan.gates.map((gate) => ({
      name: gate.name,
      kind: gate.kind,
      required: gate.required,
      argv: [...gate.argv],
    })),
    absent,
    notes: plan.notes,
  };
  if (!oracle.testable) return { oracle, gates };
  return {
    oracle: {
      ...oracle,
      checks:
        oracle.class === null ? oracle.checks : checksWithGates(oracle.class, oracle.checks, plan.required),
      requiredGates: plan.required,
      absentGates: absent,
    },
    gates,
  };
}

/** The decisions a reconciliation records: one per kind dropped, or required without a gate. */
export function gateDecisions(
  notes: readonly string[],
): { kind: string; decision: string; reason: string }[] {
  return notes.map((note) => ({ kind: 'gates', decision: note.split(':')[0] ?? note, reason: note }));
}

/** A gate as `gates_required` names it: its name, kind and whether it blocks the goal. */
export type RequiredGateEntry = Pick<PlannedGate, 'name' | 'kind' | 'required'>;

/**
 * The event saying what a reconciliation requires, at planning and at each execution: the kinds,
 * and each gate as `<name>:<kind>`, with ` (optional)` for one that does not block the goal.
 */
export function gatesRequiredEvent(
  required: readonly string[],
  gates: readonly RequiredGateEntry[],
): EventInput {
  return {
    type: 'gates_required',
    data: {
      required: [...required],
      gates: gates.map((gate) => `${gate.name}:${gate.kind}${gate.required ? '' : OPTIONAL}`),
    },
  };
}

const OPTIONAL = ' (optional)';

/**
 * The gates the latest `gates_required` event names (a kind holds no colon, a name may:
 * `format:check:format`); empty when there is none, or for an entry that is not such a string.
 */
export function gatesRequiredIn(events: readonly GoalEvent[]): RequiredGateEntry[] {
  const latest = events.findLast((event) => event.type === 'gates_required');
  const named = Array.isArray(latest?.data.gates) ? latest.data.gates : [];
  return named.flatMap((entry): RequiredGateEntry[] => {
    if (typeof entry !== 'string') return [];
    const optional = entry.endsWith(OPTIONAL);
    const text = optional ? entry.slice(0, -OPTIONAL.length) : entry;
    const colon = text.lastIndexOf(':');
    if (colon <= 0 || colon === text.length - 1) return [];
    return [{ name: text.slice(0, colon), kind: text.slice(colon + 1), required: !optional }];
  });
}
