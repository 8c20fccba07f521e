import { REQUIRED_GATE_KINDS } from '../config/schema.js';
import type { Proof } from './schema.js';

/** A gate required on its own, not by a kind the oracle requires, and why. */
export interface OwnRequiredGate {
  name: string;
  /** `default`: its kind is required unless the config says otherwise (a detected format gate). */
  why: 'default' | 'marked';
}

/** How a gate required on its own is named after its name: why it blocks the goal. */
const OWN_REQUIRED_WORDS: Readonly<Record<OwnRequiredGate['why'], string>> = {
  default: 'required by default',
  marked: 'marked required',
};

/**
 * Why a gate of this kind is required though the oracle does not ask for its kind: its kind is
 * required by default (format), or else the config marked it `required: true`.
 */
export function ownRequiredWhy(kind: string): OwnRequiredGate['why'] {
  return REQUIRED_GATE_KINDS.includes(kind) ? 'default' : 'marked';
}

/**
 * What a proof requires, for people: the gate kinds the oracle requires, and the gates required on
 * their own (a detected format gate, a custom gate marked `required: true`) whose kind is not one
 * of those kinds: that ran, or before any ran, that the plan will run. A proof written before
 * `requiredGateNames` existed has no such names.
 */
function requiredGatesShown(proof: Proof): { kinds: string[]; own: OwnRequiredGate[] } {
  const kinds = proof.requiredGates;
  const gates = [...proof.gates, ...(proof.plannedGates ?? [])];
  const own = (proof.requiredGateNames ?? []).flatMap((name): OwnRequiredGate[] => {
    const gate = gates.find((each) => each.name === name);
    return gate === undefined || kinds.includes(gate.kind) ? [] : [{ name, why: ownRequiredWhy(gate.kind) }];
  });
  return { kinds: [...kinds], own };
}

/** The required gates as a list of words, each name spelled by `name` for where it lands. */
export function requiredGatesNamed(proof: Proof, name: (text: string) => string): string[] {
  const { kinds, own } = requiredGatesShown(proof);
  return [...kinds.map(name), ...own.map((gate) => `${name(gate.name)} (${OWN_REQUIRED_WORDS[gate.why]})`)];
}
