import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

// A goal starts from its base commit: the planner's symbol search reads that commit's files, not
// what the checkout has on top of it (a file staged but not committed is not in any worktree).
let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  repo = await createTempRepo({
    'package.json': '{ "name": "cookie-kit", "scripts": { "test": "node --test" } }\n',
    'src/index.ts':
      'export function parseCookie(header: string): string[] {\n  return header.split(";");\n}\n',
    'test/index.test.ts': "import { parseCookie } from '../src/index.js';\n",
  });
  state = await tempStateDir();
  // Staged, never committed: it defines what the goal names.
  await mkdir(join(repo.root, 'src', 'jar'), { recursive: true });
  await writeFile(
    join(repo.root, 'src', 'jar', 'cookie-jar.ts'),
    'export function parseCookieJar(text: string): string[] {\n  return text.split("\\n");\n}\n',
  );
  git(repo.root, 'add', 'src/jar/cookie-jar.ts');
});
afterAll(async () => {
  await repo?.cleanup();
  await state?.cleanup();
});

describe('goal plan in a checkout with a staged, uncommitted file', () => {
  it('names no file the base commit does not have, and says nothing there defines the symbol', async () => {
    const planned = await runOmkInProcess(
      ['goal', 'plan', 'fix parseCookieJar so that empty input returns an empty list', '--json'],
      { cwd: repo.root, stateDir: state.dir },
    );
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toContain('1 uncommitted change(s)');
    const { goal, graph } = JSON.parse(planned.stdout) as {
      goal: { id: string };
      graph: { tasks: { writes: string[] }[] };
    };
    const writes = graph.tasks.flatMap((task) => task.writes);
    expect(writes.some((path) => path.startsWith('src/jar'))).toBe(false);
    const plan = await readFile(join(state.dir, 'goals', goal.id, 'technical-plan.md'), 'utf8');
    expect(plan).toMatch(/no tracked file defines parseCookieJar/);
  });

  it('greps the commit it is given, hits named by path; the checkout without one', async () => {
    const head = git(repo.root, 'rev-parse', 'HEAD');
    const query = { patterns: ['parseCookieJar'], fixed: true, maxHits: 10 };
    const checkout = await gitRepo.grepLines(repo.root, query);
    expect(checkout.map((hit) => hit.path)).toEqual(['src/jar/cookie-jar.ts']);
    expect(await gitRepo.grepLines(repo.root, { ...query, at: head })).toEqual([]);
    const committed = await gitRepo.grepLines(repo.root, { ...query, patterns: ['parseCookie'], at: head });
    expect(committed.map((hit) => [hit.path, hit.line])).toEqual([
      ['src/index.ts', 1],
      ['test/index.test.ts', 1],
    ]);
    await expect(gitRepo.grepLines(repo.root, { ...query, at: '--output=x' })).rejects.toThrow(
      'Invalid base SHA',
    );
  });
});
