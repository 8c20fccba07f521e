import type { HostVocabulary } from '../runtime/app/index.js';

/** A comment's words: `/omk goal` commands, the options of `/omk goal run`, the app's settings. */
export const botVocabulary: HostVocabulary = {
  setting: (name, example) => {
    if (name === 'agent') return `OMK_BOT_AGENT=${example} in the app's environment`;
    if (name === 'base-branch') return "a default branch on the repository (the app's PRs target it)";
    return `/omk goal run "…" --${name} ${example}`;
  },
  command: (name, goalId) => `/omk goal ${name} ${goalId}`,
};
