import type { Agent } from '../agents/port.js';
import type { GateHome, VerifyFn } from '../gates/port.js';
import type { WorkspacePreparer } from '../workspace/port.js';

// `logs.maxBytes` from .omk/config.yml reaches every agent transcript, gate log and install or
// setup log of a goal through these wrappers, as the sandbox's confinement does: the runtime hands
// the limit to each run and the host's process runner keeps that much (head and tail, the cut
// recorded). Unset, the host's own limit applies (OMK_LOG_MAX_BYTES, else 8 MiB).

/** The agent with every run's transcript bounded to maxBytes. */
export function boundedAgent(agent: Agent, maxBytes: number | undefined): Agent {
  if (maxBytes === undefined) return agent;
  return {
    name: agent.name,
    label: agent.label,
    run: (input) => agent.run({ ...input, logMaxBytes: maxBytes }),
  };
}

/** The gate verifier with every gate log bounded to maxBytes. */
export function boundedVerify(verify: VerifyFn, maxBytes: number | undefined): VerifyFn {
  if (maxBytes === undefined) return verify;
  return (gates, context) => verify(gates, { ...context, logMaxBytes: maxBytes });
}

/** The gate verifier with every gate process run with the HOME `gates.home` says. */
export function withGateHome(verify: VerifyFn, home: GateHome): VerifyFn {
  return (gates, context) => verify(gates, { ...context, home });
}

/** The worktree preparer with every install and `workspace.setup` log bounded to maxBytes. */
export function boundedPreparer(
  preparer: WorkspacePreparer,
  maxBytes: number | undefined,
): WorkspacePreparer {
  if (maxBytes === undefined) return preparer;
  return { prepare: (input) => preparer.prepare({ ...input, logMaxBytes: maxBytes }) };
}
