import type { HostVocabulary } from './vocabulary.js';

/** What a front door's scrub of its start-up environment block left readable, and why. */
export interface UnscrubbedEnviron {
  problem: string;
  names: readonly string[];
}

/**
 * The warning when omk could not overwrite its secrets in its start-up environment block (each
 * front door scrubs it as it starts), the same in every front door. `remedy` spells the setting
 * that confines agents in the host's words; null for a host given no vocabulary (the bot, whose
 * sandbox is its deployment's).
 */
export function unscrubbedWarning(
  environ: UnscrubbedEnviron,
  words?: HostVocabulary,
): { message: string; remedy: string | null } {
  const them = environ.names.length === 1 ? 'it' : 'them';
  const sandbox = (mode: string) => words?.fields.given('sandbox', mode);
  return {
    message:
      `could not overwrite ${environ.names.join(', ')} in omk's start-up environment (${environ.problem}): ` +
      `an agent run without the sandbox can read ${them} in /proc/<pid>/environ`,
    remedy:
      words === undefined
        ? null
        : `Run agents confined: ${sandbox('required')}, or ${sandbox('auto')} where bubblewrap works.`,
  };
}
