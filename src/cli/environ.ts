// `GITHUB_TOKEN=… omk goal run …`: the token is in the block /proc/<pid>/environ shows every
// process of the user, an agent run without the sandbox included (docs/security.md, "omk's own
// environment block"). The Action and the bot overwrite theirs; so does the CLI, before any command.
import { scrubOwnSecrets } from '../adapters/process/own-secrets.js';
import type { EnvironScrubOptions } from '../adapters/process/scrub-environ.js';
import { unscrubbedWarning } from '../runtime/app/render.js';
import { CLI_WORDS } from './wording.js';

/**
 * Overwrites the CLI's secret variables in its start-up environment block (process.env keeps
 * them). Returns the warning for stderr when a secret could not be overwritten, else null: off
 * Linux there is no /proc/<pid>/environ to scrub, so nothing is said there.
 */
export function scrubCliEnvironment(options: EnvironScrubOptions = {}): string | null {
  if ((options.platform ?? process.platform) !== 'linux') return null;
  const environ = scrubOwnSecrets(options);
  if (environ === null) return null;
  const { message, remedy } = unscrubbedWarning(environ, CLI_WORDS);
  return `omk: warning: ${message}.\nhint: ${remedy}\n`;
}
