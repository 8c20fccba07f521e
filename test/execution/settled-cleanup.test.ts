import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  GOALS,
  NODE_FIXTURE,
  omkBranches,
  SLICES,
  showAt,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

/** The worktrees `git worktree list` shows besides the repository itself. */
function extraWorktrees(): string[] {
  return git(env.repo.root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
    .filter((path) => path !== git(env.repo.root, 'rev-parse', '--show-toplevel'));
}

const fixParser = "write('src/parser.js', '// fixed\\nexport const parse = (text) => text;\\n');";
const fixReadme = "write('README.md', '# fixture\\n\\nUsage.\\n');";
const fixBoth = `if (task.includes('readme')) { ${fixReadme} } else { ${fixParser} }`;

describe('cleanup when a goal settles', () => {
  it('git worktree list shows none of omk’s after a settled goal; its branches stay', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix-both', fixBoth);
    const run = await env.omk('goal', 'run', GOALS.parallel, '--agent', agent, '--json');
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    expect(extraWorktrees()).toEqual([]);
    expect(omkBranches(env.repo, id)).toEqual(
      [
        `omk/${id}/${SLICES.readme}`,
        `omk/${id}/${SLICES.parserSecond}`,
        `omk/${id}/base`,
        `omk/${id}/integration`,
      ].sort(),
    );
    const cleaned = eventsOfType(await env.events(id), 'goal_cleaned');
    expect(cleaned.map((e) => e.data)).toEqual([{ worktrees: 4, branches: [], cache: false }]);
  });

  it('--keep-worktrees, and workspace.keep: true in the config, keep them', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix-both', fixBoth);
    const flagged = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--keep-worktrees');
    expect(flagged.code, flagged.stderr).toBe(0);
    // The base's, the slice's and the integration's.
    expect(extraWorktrees().length).toBe(3);

    await mkdir(join(env.repo.root, '.omk'), { recursive: true });
    await writeFile(join(env.repo.root, '.omk', 'config.yml'), 'version: 1\nworkspace:\n  keep: true\n');
    const id = await env.plan(GOALS.parallel);
    const configured = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(configured.code, configured.stderr).toBe(0);
    expect(extraWorktrees().length).toBe(3 + 4);
  });

  it('an interrupted goal keeps its worktrees for the resume', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('slow', `await sleep(60_000);\n${fixParser}`);
    const id = await env.plan(GOALS.single);
    const run = env.spawnOmk('goal', 'execute', id, '--agent', agent);
    for (let i = 0; i < 300 && (await env.kit.runs()).length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect((await env.goal(id)).status).toBe('interrupted');
    expect(extraWorktrees().length).toBeGreaterThanOrEqual(1);
  });

  it('executing a settled not_ready goal again until ready makes its worktrees again and restarts its integration from the base', async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      // Fails on the base: the slice's gate calls it pre-existing, and the proof is not ready.
      'test/fixed.test.js': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { parse } from '../src/parser.js';",
        "test('parse is fixed', () => assert.equal(parse.fixed, true));",
        '',
      ].join('\n'),
    });
    const fix = `write('src/parser.js', 'export const parse = Object.assign((text) => text, { fixed: true });\\n');`;
    const touch = `write('src/parser.js', '// touched\\nexport const parse = (text) => text;\\n');`;
    const agent = await env.kit.script(
      'fix-on-second-run',
      `if (runsSoFar(task) === 1) { ${touch} } else { ${fix} }`,
    );
    const run = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.goal(id)).status).toBe('not_ready');
    expect((await env.graph(id)).tasks.map((task) => task.status)).toEqual(['done']);
    expect(extraWorktrees()).toEqual([]);
    const touched = git(env.repo.root, 'rev-parse', `omk/${id}/integration`);

    const again = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(again.code, again.stderr).toBe(0);
    expect((await env.proof(id)).status).toBe('ready');
    const resets = eventsOfType(await env.events(id), 'slice_reset').filter(
      (e) => e.data.taskId === 'integration',
    );
    expect(resets.map((e) => e.data.from)).toEqual([touched]);
    // The integration holds the new attempt only: the first one's commit is gone from it.
    const base = (await env.goal(id)).repo.baseSha ?? '';
    expect(git(env.repo.root, 'log', '--format=%s', `${base}..omk/${id}/integration`)).not.toContain(
      'touched',
    );
    expect(showAt(env.repo, `omk/${id}/integration`, 'src/parser.js')).toContain('fixed: true');
    expect(showAt(env.repo, `omk/${id}/integration`, 'src/parser.js')).not.toContain('// touched');
    expect(extraWorktrees()).toEqual([]);
  }, 60_000);
});
