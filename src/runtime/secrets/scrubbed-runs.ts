import type { Agent } from '../agents/port.js';
import { keepRunInputs } from '../agents/run-files.js';
import type { VerifyFn } from '../gates/port.js';
import type { StateFiles } from '../state/port.js';
import type { WorkspacePort } from '../workspace/port.js';
import { type Scrub, scrubFile } from './scrub.js';

/**
 * The agent with its transcript and summary scrubbed as soon as it ends, before anything reads
 * them into events, the proof or the state branch.
 */
/**
 * Takes a file a run wrote as omk's artifact once it is scrubbed (`GoalStore.keepArtifact`): a
 * later change to it is found before the proof.
 */
export type KeepArtifact = (path: string) => Promise<void>;

const keepNothing: KeepArtifact = async () => undefined;

export function scrubbedAgent(agent: Agent, scrub: Scrub, files: StateFiles, keep = keepNothing): Agent {
  return {
    name: agent.name,
    label: agent.label,
    async run(input) {
      const result = await agent.run(input);
      await scrubFile(files, result.transcript, scrub);
      await keep(result.transcript);
      await keepRunInputs(files, keep, input, result);
      return { ...result, summary: scrub(result.summary) };
    },
  };
}

/** The gate verifier with each gate's log and output tail scrubbed. */
export function scrubbedVerify(
  verify: VerifyFn,
  scrub: Scrub,
  files: StateFiles,
  keep = keepNothing,
): VerifyFn {
  return async (gates, context) => {
    const evidence = await verify(gates, context);
    await Promise.all(
      evidence.map(async (gate) => {
        if (gate.artifact === null) return;
        await scrubFile(files, gate.artifact, scrub);
        await keep(gate.artifact);
      }),
    );
    return evidence.map((gate) => ({ ...gate, tail: scrub(gate.tail) }));
  };
}

/**
 * The worktrees with the patch a reset keeps of an attempt (what the agent committed, a token it
 * read included) scrubbed as soon as it is written: it lies among the goal's artifacts, which
 * omk's own files and the state branch are built from.
 */
export function scrubbedWorkspaces<W extends Pick<WorkspacePort, 'resetToBase'>>(
  workspaces: W,
  scrub: Scrub,
  files: StateFiles,
  keep = keepNothing,
): W {
  return {
    ...workspaces,
    async resetToBase(workspace, diffPath) {
      const reset = await workspaces.resetToBase(workspace, diffPath);
      await scrubFile(files, diffPath, scrub);
      if (reset.diffSaved) await keep(diffPath);
      return reset;
    },
  };
}
