import type { Agent } from '../agents/port.js';
import type { VerifyFn } from '../gates/port.js';
import type { Confinement } from './port.js';

/** The agent with every run confined (its process only: the built-in demo agent starts none). */
export function confinedAgent(agent: Agent, confine: Confinement): Agent {
  return {
    name: agent.name,
    label: agent.label,
    run: (input) => agent.run({ ...input, confine }),
  };
}

/** The gate verifier with every gate process confined: gates run the agent's code (its tests). */
export function confinedVerify(verify: VerifyFn, confine: Confinement): VerifyFn {
  return (gates, context) => verify(gates, { ...context, confine });
}
