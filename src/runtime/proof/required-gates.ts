import type { Proof } from './schema.js';

/**
 * What a proof requires, for people: the gate kinds the oracle requires, and the names of the
 * gates required on their own (a custom gate marked `required: true` whose kind is not one of
 * those kinds). A proof written before `requiredGateNames` existed has no such names.
 */
export function requiredGatesShown(proof: Proof): { kinds: string[]; ownNames: string[] } {
  const kinds = proof.requiredGates;
  const ownNames = (proof.requiredGateNames ?? []).filter((name) =>
    proof.gates.some((gate) => gate.name === name && !kinds.includes(gate.kind)),
  );
  return { kinds: [...kinds], ownNames };
}
