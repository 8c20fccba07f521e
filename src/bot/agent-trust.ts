import type { Workspace } from '../adapters/bot/workspace.js';
import { findUntrustedCustomAgent, type UntrustedCustomAgent } from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { appFor } from './compose.js';
import { planningAgent, type RepoSettings, runAgent } from './repo-settings.js';
import type { StatusTarget } from './status.js';

/**
 * Why a goal may not start in this checkout: its `.omk/config.yml` would have a custom agent of
 * its own run (as the goal's agent, its default, or planner.agent), which only the operator may
 * choose. Asked before the goal is created, so a refusal writes no state. Null: nothing refused.
 */
export async function untrustedAgentLines(
  bot: Bot,
  ws: Workspace,
  target: StatusTarget,
  settings: RepoSettings,
): Promise<string[] | null> {
  const local = bot.deps.config.mode === 'local';
  // actions mode runs agents on the repository's runner; only planning happens here.
  const choice = local ? await runAgent(bot, settings, ws.repoRoot) : {};
  const planning = local ? planningAgent(bot, settings) : undefined;
  const found = await findUntrustedCustomAgent(appFor(bot, ws, target), ws.repoRoot, choice, planning);
  return found === null ? null : refusalLines(found);
}

function refusalLines(found: UntrustedCustomAgent): string[] {
  const use =
    found.role === 'planner' ? 'planner.agent names it to plan this goal' : 'this goal would run it';
  return [
    `Not started: ${found.file} defines ${found.key}, a custom agent, and ${use}. This app runs no agent a repository defines for itself (whoever can push that file could make it run any command with the app's credentials), so nothing was run.`,
    `Remove ${found.key} from ${found.file}, or stop naming ${found.name} in agents.default and planner.agent, then ask again.`,
    `For a command of your own, set agent: { command: [...] } in .github/omk.yml and ask the app's operator to allow command:<program>.`,
  ];
}
