import { describe, expect, it } from 'vitest';
import { commandVocabulary, kebabName } from './command-words.js';
import { unscrubbedWarning } from './environ-words.js';
import { plainVocabulary } from './vocabulary.js';

const terminal = commandVocabulary({
  prefix: 'omk goal',
  commands: {
    create: 'run',
    budget_add: 'budget-add',
    accept: 'accept',
    reject: 'reject',
    open_pr: 'open-pr',
    merge: 'merge',
  },
  option: (field) => `--${kebabName(field)}`,
  steps: { list: 'list', list_all: 'list --all', resume_orphans: 'resume --auto' },
});

describe('unscrubbedWarning', () => {
  const environ = { problem: 'EACCES on /proc/self/mem', names: ['GITHUB_TOKEN', 'PRIVATE_KEY'] };

  it('names every variable still readable, why, and where an agent reads them', () => {
    const { message } = unscrubbedWarning(environ);
    expect(message).toBe(
      "could not overwrite GITHUB_TOKEN, PRIVATE_KEY in omk's start-up environment (EACCES on /proc/self/mem): an agent run without the sandbox can read them in /proc/<pid>/environ",
    );
    expect(unscrubbedWarning({ ...environ, names: ['GITHUB_TOKEN'] }).message).toContain('can read it in');
  });

  it("spells the remedy in the host's words, and gives none to a host without a sandbox setting", () => {
    expect(unscrubbedWarning(environ, terminal).remedy).toBe(
      'Run agents confined: --sandbox required, or --sandbox auto where bubblewrap works.',
    );
    expect(unscrubbedWarning(environ, plainVocabulary).remedy).toBe(
      'Run agents confined: sandbox: required, or sandbox: auto where bubblewrap works.',
    );
    expect(unscrubbedWarning(environ).remedy).toBeNull();
  });
});
