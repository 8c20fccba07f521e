import { git } from './git-repo.js';

/** How long a held slice's agent waits to be let go, at most. */
export const HOLD_MS = 100_000;

/**
 * A script agent for a goal of two slices, one changing the CI workflow file `workflow`
 * (`node-version: 20` → `22`), the other fixing src/math.js (`a - b` → `a + b`). The `held` slice
 * says it started (writes `started`), then waits until the test writes `release`, so a test can
 * cancel, pause or interrupt the goal while it runs. `plans: false` answers a planning prompt with
 * nothing (the heuristic plans).
 */
export function heldSliceAgent(options: {
  workflow: string;
  held: 'workflow' | 'math';
  started: string;
  release: string;
  plans?: boolean;
}): string {
  const { workflow, held, started, release } = options;
  const edits = {
    workflow: `edit(${JSON.stringify(workflow)}, 'node-version: 20', 'node-version: 22');`,
    math: "edit('src/math.js', 'return a - b;', 'return a + b;');",
  };
  const other = held === 'workflow' ? 'math' : 'workflow';
  return `#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const task = process.env.OMK_TASK_ID;
${options.plans === false ? "if (task === 'plan') process.exit(0);\n" : ''}const edit = (path, from, to) => writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
if (${held === 'workflow' ? '' : '!'}task.includes('workflow')) {
  writeFileSync(${JSON.stringify(started)}, '');
  const deadline = Date.now() + ${HOLD_MS};
  while (!existsSync(${JSON.stringify(release)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  ${edits[held]}
} else {
  ${edits[other]}
}
`;
}

/** Waits until `done` holds or `ms` passed (the caller's expectation then says which). */
export async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

/** The saved copies (`kept/<slice|integration>.bundle`) the state branch of `origin` holds for a goal. */
export function keptOnState(origin: string, goalId: string): string[] {
  return git(origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state', '--', `goals/${goalId}/kept/`)
    .split('\n')
    .filter(Boolean)
    .map((path) => path.slice(`goals/${goalId}/`.length));
}
