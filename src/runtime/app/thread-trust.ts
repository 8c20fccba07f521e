import type { RepoAgentSetting } from '../config/repo-settings.js';
import { type UntrustedCustomAgent, untrustedAgentOfStep } from './agent-trust.js';
import { repoPlanningAgent, repoRunAgent } from './repo-agent.js';
import { onSharedGoal, type ThreadCheckout, type ThreadHost, type TrustedStep } from './thread-host.js';
import { readStepPlan } from './thread-job.js';

/**
 * The custom agent a thread's step in checkout `ws` would run that the host does not trust: the
 * checkout's `.omk/config.yml` would have an agent of its own run (as the goal's agent, its
 * default, or planner.agent), or add arguments or environment names to the operator's. Asked
 * before the goal's state is written, so a refusal writes none. `setting`: the repository's agent
 * (`.github/omk.yml`); `recorded`: the agent an existing goal was created with.
 */
export function untrustedAgentHere<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  ws: W,
  step: TrustedStep,
  setting: RepoAgentSetting | undefined,
  recorded?: string,
): Promise<UntrustedCustomAgent | null> {
  return untrustedAgentOfStep(host.app(ws), ws.repoRoot, {
    step,
    executesHere: host.executesHere,
    runAgent: () => repoRunAgent(ws.repoRoot, setting, host.operatorAgent),
    planningAgent: repoPlanningAgent(setting, host.operatorAgent),
    ...(recorded === undefined ? {} : { recorded }),
  });
}

/**
 * The same question for a goal that exists (a fix, a resume), in checkout `ws` of the default
 * branch: its state is read for the agent it was created with and nothing is pushed. Null when
 * nothing is refused, or when the goal is not on the state branch (the step itself says so).
 */
export async function untrustedGoalAgent<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  ws: W,
  step: Exclude<TrustedStep, 'start'>,
  setting: RepoAgentSetting | undefined,
  goalId: string,
): Promise<UntrustedCustomAgent | null> {
  const read = await onSharedGoal(
    host,
    goalId,
    readStepPlan(),
    (_ws, { goal }) => untrustedAgentHere(host, ws, step, setting, goal.options.agent ?? undefined),
    ws,
  );
  return read.kind === 'done' ? read.value : null;
}

/** A resume where goals execute here, asked in a checkout of its own before the goal is resumed. */
export function untrustedResumeAgent<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  setting: RepoAgentSetting | undefined,
  goalId: string,
): Promise<UntrustedCustomAgent | null> {
  if (!host.executesHere) return Promise.resolve(null);
  return host.checkout('full', (ws) => untrustedGoalAgent(host, ws, 'resume', setting, goalId));
}
