import type { RepoSettings } from '../config/repo-settings.js';
import type { PermissionAnswer } from './access.js';
import { type RepoSettingsLoad, repoAccessRefusal } from './repo-settings-rules.js';

/**
 * The repository's settings for a thread's command, or the lines that answer the command instead:
 * the file could not be used, or its access rule refuses the person (`answer`: their permission,
 * given when the command starts or changes a goal; null: a read, which the rule does not limit).
 */
export function commandSettings(
  loaded: RepoSettingsLoad,
  login: string,
  answer: PermissionAnswer | null,
): { ok: true; settings: RepoSettings } | { ok: false; lines: string[] } {
  if (!loaded.ok) return loaded;
  const refusal = answer === null ? null : repoAccessRefusal(loaded.settings, login, answer);
  return refusal === null ? { ok: true, settings: loaded.settings } : { ok: false, lines: [refusal] };
}
