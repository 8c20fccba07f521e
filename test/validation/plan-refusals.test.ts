import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// `omk goal plan` used to accept a .omk/config.yml that `omk goal run` then refused: the goal was
// planned, and the run of it failed. Both refuse it now, with the same words, before any goal exists.

const GOAL = 'fix the failing test in src/math.js';
const FILES = {
  'src/math.js': 'export const add = (a, b) => a - b;\n',
  'test/math.test.js': 'import { add } from "../src/math.js";\nif (add(1, 2) !== 3) process.exit(1);\n',
  'package.json': '{"type":"module","scripts":{"test":"node test/math.test.js"}}\n',
};

const CONFIGS: [string, string, RegExp][] = [
  ['a value the schema refuses', 'version: 1\nmerge:\n  requireChecks: sometimes\n', /merge\.requireChecks/],
  ['a custom agent without argv', 'version: 1\nagents:\n  custom:\n    x: {}\n', /agents\.custom\.x\.argv/],
  ['not YAML', 'version: 1\ngates: [\n', /config\.yml/],
];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('omk goal plan refuses the repository config omk goal run refuses', () => {
  it.each(CONFIGS)(
    '%s',
    async (_, config, where) => {
      const repo: TempRepo = await createTempRepo({ ...FILES, '.omk/config.yml': config });
      const state = await tempStateDir();
      cleanups.push(repo.cleanup, state.cleanup);
      const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
      const run = await omk('goal', 'run', GOAL, '--agent', 'demo');
      const plan = await omk('goal', 'plan', GOAL, '--agent', 'demo');
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(where);
      expect(plan.code, plan.stdout + plan.stderr).toBe(run.code);
      expect(plan.stderr).toBe(run.stderr);
      expect(await readdir(join(state.dir, 'goals')).catch(() => [])).toEqual([]);
    },
    60_000,
  );
});
