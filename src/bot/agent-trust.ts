import type { Workspace } from '../adapters/bot/workspace.js';
import {
  quoteUntrusted,
  readStepPlan,
  repoPlanningAgent,
  repoRunAgent,
  type UntrustedCustomAgent,
  untrustedAgentOfStep,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { appFor, onSharedGoal, withCheckout } from './compose.js';
import type { RepoSettings } from './repo-settings.js';
import type { StatusTarget } from './status.js';

/** What the refused command would have done: start a goal, resume one, or fix a PR. */
export type TrustedStep = 'start' | 'resume' | 'fix';

const REFUSED: Record<TrustedStep, { done: string; goal: string }> = {
  start: { done: 'Not started', goal: 'this goal' },
  resume: { done: 'Not resumed', goal: 'this goal' },
  fix: { done: 'Not fixed', goal: 'the fix' },
};

/**
 * Why a goal may not start, resume or be fixed in this checkout: its `.omk/config.yml` would have
 * a custom agent of its own run (as the goal's agent, its default, or planner.agent), or would add
 * arguments, environment names or HOME files to the operator's agent, which only the operator may choose.
 * Asked before the goal's state is read or written, so a refusal writes no state. Null: nothing
 * refused. A fix plans nothing, so planner.agent is not asked about there. `recorded` is the
 * agent an existing goal was created with, which its runs use when the app names none.
 */
export async function untrustedAgentLines(
  bot: Bot,
  ws: Workspace,
  target: StatusTarget,
  settings: RepoSettings,
  step: TrustedStep = 'start',
  recorded?: string,
): Promise<string[] | null> {
  const operator = bot.deps.config.agent;
  const found = await untrustedAgentOfStep(appFor(bot, ws, target), ws.repoRoot, {
    step,
    executesHere: bot.deps.config.mode === 'local',
    runAgent: () => repoRunAgent(ws.repoRoot, settings.agent, operator),
    planningAgent: repoPlanningAgent(settings.agent, operator),
    ...(recorded === undefined ? {} : { recorded }),
  });
  return found === null ? null : refusalLines(found, REFUSED[step]);
}

/**
 * The same question for a goal that exists (a fix, a resume), in checkout `ws` of the default
 * branch: its state is read for the agent it was created with and nothing is pushed. Null when
 * nothing is refused, or when the goal is not on the state branch (the step itself says so).
 */
export async function untrustedGoalAgentLines(
  bot: Bot,
  ws: Workspace,
  target: StatusTarget,
  settings: RepoSettings,
  step: Exclude<TrustedStep, 'start'>,
  goalId: string,
): Promise<string[] | null> {
  const read = await onSharedGoal(
    bot,
    target,
    goalId,
    readStepPlan(),
    (_ws, { goal }) => untrustedAgentLines(bot, ws, target, settings, step, goal.options.agent ?? undefined),
    ws,
  );
  return read.kind === 'done' ? read.value : null;
}

/** A resume in local mode, asked in a checkout of its own before the goal is resumed. */
export async function resumeRefusal(
  bot: Bot,
  target: StatusTarget & { settings: RepoSettings },
  goalId: string,
): Promise<string[] | null> {
  if (bot.deps.config.mode !== 'local') return null;
  return withCheckout(bot, target.gh, target.repo, 'full', (ws) =>
    untrustedGoalAgentLines(bot, ws, target, target.settings, 'resume', goalId),
  );
}

function refusalLines(found: UntrustedCustomAgent, step: { done: string; goal: string }): string[] {
  const use =
    found.role === 'planner' ? `planner.agent names it to plan ${step.goal}` : `${step.goal} would run it`;
  if (found.kind === 'settings') {
    const key = quoteUntrusted(found.key);
    return [
      `${step.done}: ${found.file} sets ${key}, arguments, environment names or HOME files for the agent ${quoteUntrusted(found.name)}, and ${use}. This app uses no arguments, variables or HOME files a repository adds to an agent (an agent CLI's flags can make it run any command, a variable's name would hand it the app's secret of that name, and a HOME file a file of the app's), so nothing was run.`,
      `Remove ${key} from ${found.file} (its startupSilence and networkStall may stay), then ask again; what the agent needs beyond that is the app's operator's to set.`,
    ];
  }
  return [
    `${step.done}: ${found.file} defines ${found.key}, a custom agent, and ${use}. This app runs no agent a repository defines for itself (whoever can push that file could make it run any command with the app's credentials), so nothing was run.`,
    `Remove ${found.key} from ${found.file}, or stop naming ${found.name} in agents.default and planner.agent, then ask again.`,
    `For a command of your own, set agent: { command: [...] } in .github/omk.yml and ask the app's operator to allow command:<program>.`,
  ];
}
