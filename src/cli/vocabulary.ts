import type { HostVocabulary } from '../runtime/app/index.js';

/** The terminal's words: flags and `omk goal` commands. */
export const cliVocabulary: HostVocabulary = {
  setting: (name, example) => `--${name} ${example}`,
  command: (name, goalId) => `'omk goal ${name} ${goalId}'`,
};
