import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  commandSettings,
  loadRepoSettings,
  type PermissionAnswer,
  REPO_SETTINGS_FILE,
  type RepoSettings,
  type RepoSettingsLoad,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { plainReply } from './replies.js';
import { BOT_WORDS } from './wording.js';

/** The repository's `.github/omk.yml`, read once per job (`loadRepoSettings`), its sources logged. */
export async function repoSettings(bot: Bot, gh: BotGitHub, repo: RepoRef): Promise<RepoSettingsLoad> {
  const { agent, repoAgents } = bot.deps.config;
  const read = () => gh.settingsFile(repo, REPO_SETTINGS_FILE);
  const loaded = await loadRepoSettings(read, { agent, allowed: repoAgents }, BOT_WORDS);
  if (loaded.ok && loaded.sources.length > 0)
    bot.deps.reporter.info(`${repo.fullName}: settings from ${loaded.sources.join(', ')}`);
  return loaded;
}

/**
 * The settings for a command from a person (`commandSettings`: the file's access rule checked with
 * `answer`, their permission, when the command starts or changes a goal). On a problem the person
 * is answered on the thread and null returned: the command does nothing else.
 */
export async function settingsForCommand(
  bot: Bot,
  gh: BotGitHub,
  where: { repo: RepoRef; issue: number; author: string },
  answer: PermissionAnswer | null,
): Promise<RepoSettings | null> {
  const settings = commandSettings(await repoSettings(bot, gh, where.repo), where.author, answer);
  if (settings.ok) return settings.settings;
  await gh.createComment(where.repo, where.issue, plainReply(where.author, settings.lines));
  return null;
}
