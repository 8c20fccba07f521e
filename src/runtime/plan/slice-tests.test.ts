import { describe, expect, it } from 'vitest';
import { checksFor, testDemandOf } from '../goal/intake-checks.js';
import type { TaskDraft } from '../graph/schema.js';
import { askAgentSlicesOnlyWritable } from './slice-tests.js';

// The plan an agent returned is held to the heuristic's rule: a slice is asked for new tests only
// when it may write them.

const REPO = ['package.json', 'src/config.js', 'src/cli.js', 'test/cli.test.js'];
const HARDENING = checksFor('hardening', { subject: 'src/config.js', target: null });
const GREENFIELD = checksFor('greenfield', { subject: 'src/cli.js', target: null });

function draft(id: string, fields: Partial<TaskDraft>): TaskDraft {
  return {
    id,
    title: id,
    description: id,
    ownerRole: 'implementer',
    dependsOn: [],
    reads: [],
    writes: [],
    risk: 'medium',
    acceptance: ['Done when: it works'],
    budget: { timeMs: 60_000, tokens: null, usd: null },
    maxRetries: 2,
    ...fields,
  };
}

describe('agent plans: a slice is asked only what it may write', () => {
  it('a lone change asked for hostile-input tests writes the tests of what it changes', () => {
    const tasks = [draft('s1-harden', { writes: ['src/config.js'], acceptance: HARDENING })];
    const notes = askAgentSlicesOnlyWritable(tasks, new Map(), REPO);
    expect(tasks[0]?.writes).toEqual(['src/config.js', 'test']);
    expect(tasks[0]?.acceptance).toEqual(HARDENING);
    expect(notes).toEqual([
      'omk: s1-harden writes test: no test slice follows this change, so it adds its own hostile-input tests there',
    ]);
  });

  it('a change a test slice builds on is told who writes its tests, and keeps its write set', () => {
    const tasks = [
      draft('s1-flag', { writes: ['src/cli.js'], acceptance: ['Done when: --json', ...GREENFIELD] }),
      draft('s2-tests', {
        ownerRole: 'test-author',
        dependsOn: ['s1-flag'],
        writes: ['test/cli.test.js'],
        acceptance: ['Tests cover --json'],
      }),
    ];
    const notes = askAgentSlicesOnlyWritable(tasks, new Map(), REPO);
    expect(notes).toEqual([]);
    expect(tasks[0]?.writes).toEqual(['src/cli.js']);
    expect(tasks[0]?.acceptance.some((line) => testDemandOf(line) !== null)).toBe(false);
    expect(tasks[0]?.acceptance).toContain(
      "The acceptance tests that fail or are absent on the goal's base commit and pass with this change are written by s2-tests, which is built on this slice: change only src/cli.js",
    );
  });

  it('a change that already writes its tests, or asks for none, is left alone', () => {
    const tasks = [
      draft('s1-flag', { writes: ['src/cli.js', 'test'], acceptance: GREENFIELD }),
      draft('s2-other', { writes: ['src/config.js'] }),
    ];
    expect(askAgentSlicesOnlyWritable(tasks, new Map(), REPO)).toEqual([]);
    expect(tasks.map((task) => task.writes)).toEqual([['src/cli.js', 'test'], ['src/config.js']]);
  });

  it('a new test file among a slice’s tests that it may not write is added to its write set', () => {
    const tasks = [
      draft('s1-flag', { writes: ['src/cli.js'] }),
      draft('s2-later', { writes: ['src/config.js'], dependsOn: ['s1-flag'] }),
    ];
    const testsOf = new Map([
      ['s1-flag', ['test/cli.test.js', 'test/json-flag.test.js']],
      ['s2-later', ['test/json-flag.test.js']],
    ]);
    const notes = askAgentSlicesOnlyWritable(tasks, testsOf, REPO);
    // A tracked test is one to make pass; a new one must be written; s2 builds on s1, which writes it.
    expect(tasks.map((task) => task.writes)).toEqual([
      ['src/cli.js', 'test/json-flag.test.js'],
      ['src/config.js'],
    ]);
    expect(notes).toEqual([
      'omk: s1-flag writes test/json-flag.test.js too: its tests name these new files and no slice it builds on writes them',
    ]);
  });
});
