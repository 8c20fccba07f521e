import { isSecretEnvName } from '../../runtime/secrets/scrub.js';
import { type EnvironScrubOptions, scrubStartEnvironment } from './scrub-environ.js';

/**
 * Scrubs omk's own secrets (`isSecretEnvName`) from its start-up environment block, as each front
 * door does when it starts: the secrets still readable there and why, or null when none are (all
 * scrubbed, or none set). The door words the warning for its host. (`scrub-environ.ts` stays
 * free of imports: its test runs it alone in a child process.)
 */
export function scrubOwnSecrets(
  options: EnvironScrubOptions = {},
): { problem: string; names: readonly string[] } | null {
  const environ = scrubStartEnvironment(isSecretEnvName, options);
  return environ.scrubbed || environ.names.length === 0 ? null : environ;
}
