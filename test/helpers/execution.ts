import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { type GoalRecord, goalRecordSchema } from '../../src/runtime/goal/schema.js';
import { type TaskGraph, taskGraphSchema } from '../../src/runtime/graph/schema.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
import { type AgentKit, createAgentKit } from './agents.js';
import { createTempRepo, git, type TempRepo } from './git-repo.js';
import { OMK_BIN, type OmkResult, runOmk, tempStateDir } from './omk.js';

/** A small Node project whose `npm test` (node:test) passes. */
export const NODE_FIXTURE: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify(
    { name: 'fixture', private: true, type: 'module', scripts: { test: 'node --test test/' } },
    null,
    2,
  )}\n`,
  'README.md': '# fixture\n',
  'src/parser.js': 'export const parse = (text) => text;\n',
  'test/parser.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('parse keeps text', () => assert.equal(parse('a'), 'a'));",
    '',
  ].join('\n'),
};

/**
 * NODE_FIXTURE with a bug and its committed failing test: parse should trim its input. A fix goal
 * is ready only when a test fails without the fix and passes with it, so agents that "fix the
 * parser" in these tests make it trim (fixTheParser).
 */
export const BUGGY_FIXTURE: Readonly<Record<string, string>> = {
  ...NODE_FIXTURE,
  'test/trim.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('parse trims the text', () => assert.equal(parse(' a '), 'a'));",
    '',
  ].join('\n'),
};

/**
 * Each slice alone keeps one TODO at most; merged, the project has two and this test fails, so an
 * integration repair runs. The parser slice also fixes the fixture's committed failing test.
 */
export const TODO_FIXTURE: Readonly<Record<string, string>> = {
  ...BUGGY_FIXTURE,
  'test/todo.test.js': [
    "import assert from 'node:assert/strict';",
    "import { readFileSync } from 'node:fs';",
    "import { test } from 'node:test';",
    "const todos = ['README.md', 'src/parser.js']",
    "  .map((file) => readFileSync(file, 'utf8').split('TODO').length - 1)",
    '  .reduce((a, b) => a + b, 0);',
    "test('at most one TODO in the project', () => assert.ok(todos <= 1, todos + ' TODOs in the project'));",
    '',
  ].join('\n'),
};

/**
 * An agent body that fixes BUGGY_FIXTURE's parser in place when src/parser.js is in its write set,
 * keeping whatever else the file holds.
 */
export const fixTheParser = `
if (writes.some((path) => path === 'src/parser.js' || 'src/parser.js'.startsWith(path.replace(/\\/?$/, '/')))) {
  write('src/parser.js', read('src/parser.js').replace('(text) => text;', '(text) => text.trim();'));
}`;

/**
 * Goal texts and what the heuristic planner makes of them on NODE_FIXTURE (checked by the first
 * test in plan.test.ts, so a planner change shows up there and not as a mystery elsewhere).
 */
export const GOALS = {
  /** s1-update-readme-md (README.md) ‖ s2-fix-the-parser-in-src-parser-js (src/parser.js, test/parser.test.js). */
  parallel: 'update README.md and fix the parser in src/parser.js',
  /** s1-fix-the-parser-in-src-parser-js (src/parser.js) → s2-add-a-regression-test (test). */
  chain: 'fix the parser in src/parser.js and add a regression test',
  /** s1-fix-the-bug-in-src-parser-js (src/parser.js, test/parser.test.js: it shows its own fail-to-pass). */
  single: 'fix the bug in src/parser.js',
} as const;

export const SLICES = {
  readme: 's1-update-readme-md',
  parserSecond: 's2-fix-the-parser-in-src-parser-js',
  parser: 's1-fix-the-parser-in-src-parser-js',
  regression: 's2-add-a-regression-test',
  bug: 's1-fix-the-bug-in-src-parser-js',
} as const;

export interface GoalEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

export interface SpawnedOmk {
  child: ChildProcess;
  exited: Promise<OmkResult>;
}

export interface ExecutionEnv {
  repo: TempRepo;
  stateDir: string;
  kit: AgentKit;
  omk(...args: string[]): Promise<OmkResult>;
  /** Starts the CLI without waiting for it (to signal it or act while it runs). */
  spawnOmk(...args: string[]): SpawnedOmk;
  /** `omk goal plan <text> --json [...flags]`; returns the goal id. */
  plan(text: string, ...flags: string[]): Promise<string>;
  goalDir(id: string): string;
  goal(id: string): Promise<GoalRecord>;
  graph(id: string): Promise<TaskGraph>;
  editGraph(id: string, edit: (graph: TaskGraph) => TaskGraph): Promise<void>;
  proof(id: string): Promise<Proof>;
  /** Every line of events.jsonl, parsed strictly: a torn or skipped line fails the test. */
  events(id: string): Promise<GoalEvent[]>;
  cleanup(): Promise<void>;
}

export async function createExecutionEnv(
  files: Readonly<Record<string, string>> = NODE_FIXTURE,
  options: { env?: Record<string, string> } = {},
): Promise<ExecutionEnv> {
  const repo = await createTempRepo({ ...files });
  const state = await tempStateDir();
  const kit = await createAgentKit();
  const children: ChildProcess[] = [];
  const goalDir = (id: string) => join(state.dir, 'goals', id);
  const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
  const env: ExecutionEnv = {
    repo,
    stateDir: state.dir,
    kit,
    omk: (...args) => runOmk(args, { cwd: repo.root, stateDir: state.dir, env: options.env }),
    spawnOmk(...args) {
      const child = spawn(process.execPath, [OMK_BIN, ...args], {
        cwd: repo.root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: state.dir,
          OMK_STATE_DIR: state.dir,
          OMK_SANDBOX: 'off',
          OMK_GITHUB_WRITE_INTERVAL_MS: '0',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<OmkResult>((resolve) => {
        child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      });
      return { child, exited };
    },
    async plan(text, ...flags) {
      const result = await env.omk('goal', 'plan', text, '--json', ...flags);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    },
    goalDir,
    goal: async (id) => goalRecordSchema.parse(await readJson(join(goalDir(id), 'goal.json'))),
    graph: async (id) => taskGraphSchema.parse(await readJson(join(goalDir(id), 'task-graph.json'))),
    async editGraph(id, edit) {
      const next = taskGraphSchema.parse(edit(await env.graph(id)));
      await writeFile(join(goalDir(id), 'task-graph.json'), `${JSON.stringify(next, null, 2)}\n`);
    },
    proof: async (id) => proofSchema.parse(await readJson(join(goalDir(id), 'proof.json'))),
    async events(id) {
      const text = await readFile(join(goalDir(id), 'events.jsonl'), 'utf8');
      expect(text.endsWith('\n'), 'events.jsonl ends with a whole line').toBe(true);
      return text
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as GoalEvent);
    },
    async cleanup() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await kit.cleanup();
      await repo.cleanup();
      await state.cleanup();
    },
  };
  return env;
}

/**
 * A fresh createExecutionEnv(files, options) for each test of the calling scope (the file, or the
 * describe it is called in), cleaned up after the test. The returned object stands for the current
 * test's env: read it inside `it` or the hooks, never while the file is being collected.
 */
export function useExecutionEnv(
  files?: Readonly<Record<string, string>>,
  options?: { env?: Record<string, string> },
): ExecutionEnv {
  let current: ExecutionEnv | undefined;
  beforeEach(async () => {
    current = await createExecutionEnv(files, options);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  const target = {} as ExecutionEnv;
  return new Proxy(target, {
    get(_, key) {
      if (current === undefined) throw new Error(`useExecutionEnv: env.${String(key)} read outside a test`);
      return Reflect.get(current, key);
    },
  });
}

/**
 * Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`.
 * The default bound is generous (it costs nothing when the condition holds): with four test files
 * at once at load 15 on 2 cores, an agent's start took more than 15 s to show.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function eventsOfType(events: readonly GoalEvent[], type: string): GoalEvent[] {
  return events.filter((event) => event.type === type);
}

/** seq is 1..n with no gap and no repeat. */
export function expectContiguous(events: readonly GoalEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
}

/** Branch names under omk/<goal-id>/ in the repository. */
export function omkBranches(repo: TempRepo, goalId: string): string[] {
  return git(repo.root, 'for-each-ref', '--format=%(refname:short)', `refs/heads/omk/${goalId}/`)
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** A file's content at a ref, or null when the ref has no such file. */
export function showAt(repo: TempRepo, ref: string, path: string): string | null {
  try {
    return execFileSync('git', ['show', `${ref}:${path}`], {
      cwd: repo.root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    return null;
  }
}
