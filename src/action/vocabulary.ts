import type { HostVocabulary } from '../runtime/app/index.js';

/** A workflow's words: the Action's inputs and its `command` input. */
export const actionVocabulary: HostVocabulary = {
  setting: (name, example) => `the ${name} input (${name}: ${example})`,
  command: (name, goalId) => `a step with command: ${name} and goal-id: ${goalId}`,
};
