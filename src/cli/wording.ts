import { commandVocabulary, kebabName, type RequestField } from '../runtime/app/index.js';
import type { DoctorWords, HostVocabulary } from '../runtime/app/ports.js';
import type { StepSpelling } from '../runtime/app/render.js';

/** The fields the CLI names otherwise than `--<field in kebab case>` (the goal is an argument). */
const OWN_NAMES: Partial<Record<RequestField, string>> = {
  goal: '<goal>',
  mergeMethod: '--method',
  agentArgs: 'agents.settings.<agent>.extraArgs',
};

/** The terminal's words for everything the runtime points a user to: flags and `omk goal` commands. */
export const CLI_WORDS: HostVocabulary = commandVocabulary({
  prefix: 'omk goal',
  commands: {
    create: 'run',
    budget_add: 'budget-add',
    accept: 'accept',
    reject: 'reject',
    open_pr: 'open-pr',
    merge: 'merge',
  },
  option: (field) => OWN_NAMES[field] ?? `--${kebabName(field)}`,
  steps: {
    list: "'omk goal list'",
    list_all: "'omk goal list --all'",
    resume_orphans: "'omk goal resume --auto'",
  },
});

/** A next step as the command a CLI user types. */
export const CLI_STEPS: StepSpelling = CLI_WORDS.steps;

/** The options `omk doctor`'s fixes point to. */
export const CLI_DOCTOR_WORDS: DoctorWords = {
  agent: '--agent',
  repo: '--repo',
  stateDir: '--state-dir',
  forge: '--forge',
  jsonReport: 'omk doctor --json',
  sandboxOff: CLI_STEPS({ step: 'run_sandbox_off' }),
};
