import type { GateSpec } from '../gates/port.js';

/** Gate kinds the runtime itself satisfies (not commands): decided by the review step. */
export const REVIEW_GATE_KINDS = ['security-review'] as const;

export interface RequiredGatesPlan {
  /** Kinds the proof will require. */
  required: string[];
  /** Gates to run, with `required` set from the plan. */
  gates: GateSpec[];
  /** Why each oracle kind was kept or dropped; recorded as decisions. */
  notes: string[];
}

/**
 * Reconciles what the oracle wants with what the project has. A wanted kind the project has no
 * gate for is dropped with a recorded reason, except `test`: without it nothing proves the goal,
 * so it stays required and the proof shows it missing.
 */
export function planRequiredGates(
  oracleKinds: readonly string[],
  detected: readonly GateSpec[],
): RequiredGatesPlan {
  const available = new Set(detected.map((gate) => gate.kind));
  const required: string[] = [];
  const notes: string[] = [];
  for (const kind of oracleKinds) {
    if (available.has(kind) || (REVIEW_GATE_KINDS as readonly string[]).includes(kind)) {
      required.push(kind);
    } else if (kind === 'test') {
      required.push(kind);
      notes.push(
        'the oracle needs a test gate but none was found: the proof cannot be ready until one is configured',
      );
    } else {
      notes.push(
        `the project has no ${kind} gate, so ${kind} is not required (configure one in .omk/config.yml)`,
      );
    }
  }
  const gates = detected.map((gate) => ({
    ...gate,
    required: gate.required || required.includes(gate.kind),
  }));
  return { required, gates, notes };
}
