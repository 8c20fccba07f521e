import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { pushAuthEnv } from '../../src/adapters/github/push.js';
import { type AgentKit, createAgentKit } from '../helpers/agents.js';
import { git } from '../helpers/git-repo.js';
import {
  createGitHubEnv,
  demoRunArgs,
  filesUnder,
  findSecrets,
  type GitHubEnv,
  goalStatus,
  pullsOf,
  secretForms,
} from '../helpers/github.js';

const CANARY = 'ghs_CANARY0123456789abcdefCANARY';

/** Does what the demo agent does for DEMO_GOAL's two slices, and dumps its environment first. */
function canaryAgent(dumpDir: string): string {
  return `
write(${JSON.stringify(dumpDir)} + '/agent-' + task + '-' + process.pid + '.json', JSON.stringify(process.env));
if (writes.includes('src/math.js')) {
  const fixed = read('src/math.js').split('\\n').filter((line) => !line.includes('omk-demo-fix:')).join('\\n');
  write('src/math.js', fixed.replace('return a - b', 'return a + b'));
}
if (writes.some((path) => path === 'test' || path.startsWith('test/'))) {
  write('test/math.test.js', read('test/math.test.js').replace(/^\\/\\/ omk-demo-append: (.*)$/m, '$1'));
}
`;
}

/** The fixture's lint gate, dumping its environment first. */
function dumpingLint(dumpDir: string): string {
  return [
    "import { writeFileSync as dumpEnv } from 'node:fs';",
    `dumpEnv(${JSON.stringify(dumpDir)} + '/gate-' + process.pid + '.json', JSON.stringify(process.env));`,
    DEMO_FILES['scripts/lint.mjs'] ?? '',
  ].join('\n');
}

/** Every object in a repository, packed or loose, as one text (local git, no HTTP). */
function allObjects(repoPath: string): string {
  return execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], {
    cwd: repoPath,
    encoding: 'latin1',
    maxBuffer: 256 * 1024 * 1024,
  });
}

async function fileTexts(dir: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const path of await filesUnder(dir)) out.push([path, await readFile(path, 'latin1')]);
  return out;
}

/**
 * The whole flow with a distinctive token (delivery, merge, reruns, two error paths), then a scan
 * of everything omk, git, the agents and the gates could have written, and everything GitHub
 * received, for the token and its base64 forms.
 */
describe('the GitHub token stays secret', () => {
  let gh: GitHubEnv;
  let kit: AgentKit;
  let id = '';
  const forms = secretForms(CANARY);
  const env = { GH_TOKEN: CANARY };

  beforeAll(async () => {
    kit = await createAgentKit();
    gh = await createGitHubEnv({
      token: CANARY,
      files: {
        ...DEMO_FILES,
        'scripts/lint.mjs': dumpingLint(kit.dir),
        // No CI runs here: the merge at the end of the run must not wait for one.
        '.omk/config.yml': 'version: 1\nmerge:\n  requireChecks: none\n',
      },
    });
    const agent = await kit.script('canary', canaryAgent(kit.dir));
    const run = await gh.omkWith(env, ...demoRunArgs({ agent }));
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  }, 120_000);
  afterAll(async () => {
    await gh.cleanup();
    await kit.cleanup();
  });

  it('finds the token in every form the scan looks for (the scan is not vacuous)', () => {
    const header = pushAuthEnv('https://github.example/acme/widgets.git', CANARY).GIT_CONFIG_VALUE_1 ?? '';
    const hidden = Buffer.from(`{"auth":"${CANARY}"}`).toString('base64');
    for (const text of [`token ${CANARY}`, header, `x${hidden}y`, `url=${encodeURIComponent(CANARY)}`]) {
      expect(findSecrets([['control', text]], forms), text).not.toEqual([]);
    }
  });

  it('really used the token: pushed, opened three PRs and merged', async () => {
    expect(gh.server.count({ kind: 'git', method: 'POST' })).toBeGreaterThanOrEqual(3);
    expect(gh.server.count({ kind: 'git', status: 401 })).toBe(0);
    expect(pullsOf(gh.server)).toHaveLength(3);
    expect(await goalStatus(gh, id)).toBe('merged');
    gh.server.assertClean();
  });

  it('runs reruns, reads and two failures whose output is scanned too', async () => {
    const reads = [
      ['goal', 'open-pr', id, '--forge', 'github', '--format', 'json'],
      ['goal', 'proof', id, '--json'],
      ['goal', 'show', id, '--json'],
      ['goal', 'replay', id, '--json'],
      ['goal', 'merge', id, '--forge', 'github', '--json'],
    ];
    for (const args of reads) await gh.omkWith(env, ...args);
    // A token GitHub refuses: the error is printed.
    gh.server.failNext(
      1,
      401,
      {},
      { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
    );
    const refused = await gh.omkWith(env, 'goal', 'open-pr', id, '--forge', 'github');
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('Bad credentials');
    // A push GitHub rejects (someone rewrote the integration branch): git's error is printed.
    const branch = `omk/${id}/integration`;
    const main = git(gh.repo.origin, 'rev-parse', 'main');
    const other = git(gh.repo.origin, 'commit-tree', `${main}^{tree}`, '-m', 'rewritten elsewhere');
    git(gh.repo.origin, 'update-ref', `refs/heads/${branch}`, other);
    const rejected = await gh.omkWith(env, 'goal', 'open-pr', id, '--forge', 'github');
    expect(rejected.code).toBe(8);
    expect(rejected.stderr).toContain(`Push of ${branch}`);
  });

  it('never gave the token to an agent or a gate', async () => {
    const dumps = (await readdir(kit.dir)).filter((name) => name.endsWith('.json'));
    const agents = dumps.filter((name) => name.startsWith('agent-'));
    const gates = dumps.filter((name) => name.startsWith('gate-'));
    expect(agents.length).toBeGreaterThanOrEqual(2);
    expect(gates.length).toBeGreaterThanOrEqual(2);
    for (const name of dumps) {
      const text = await readFile(join(kit.dir, name), 'utf8');
      const dumped = JSON.parse(text) as Record<string, string>;
      expect(dumped.PATH, name).toBeDefined();
      for (const key of Object.keys(dumped)) expect(key, name).not.toMatch(/TOKEN/i);
      expect(findSecrets([[name, text]], forms)).toEqual([]);
    }
  });

  it('left no trace of the token anywhere: output, state, git, GitHub', async () => {
    const texts: [string, string][] = [];
    gh.outputs.forEach((out, i) => {
      texts.push([`run ${i} stdout`, out.stdout], [`run ${i} stderr`, out.stderr]);
    });
    expect(gh.outputs.length).toBeGreaterThanOrEqual(8);
    // Goal dirs, artifacts, worktrees (their .git files too), HOME (= the state dir here).
    const state = await fileTexts(gh.stateDir);
    expect(state.some(([path]) => path.endsWith('proof.json'))).toBe(true);
    texts.push(...state);
    // The working repository and the bare one behind the fake: config, refs, logs, every object.
    texts.push(...(await fileTexts(gh.repo.root)), ...(await fileTexts(gh.repo.origin)));
    expect(texts.some(([path]) => path.endsWith(join('.git', 'config')))).toBe(true);
    texts.push(['working repo objects', allObjects(gh.repo.root)]);
    texts.push(['bare repo objects', allObjects(gh.repo.origin)]);
    // What GitHub keeps, and every request it received.
    const { state: server } = gh.server;
    texts.push(['fake pulls', JSON.stringify([...server.pulls.values()])]);
    texts.push(['fake check runs', JSON.stringify(server.checkRuns)]);
    texts.push(['fake comments', JSON.stringify(server.comments)]);
    texts.push(['fake statuses', JSON.stringify(server.statuses)]);
    texts.push(['fake issues', JSON.stringify([...server.issues.values()])]);
    for (const r of gh.server.requests) {
      const what = `${r.kind} ${r.method} ${r.path}`;
      texts.push([`${what} (path, query)`, `${r.path}?${JSON.stringify(r.query)}`]);
      texts.push([`${what} body`, JSON.stringify(r.body ?? null)]);
    }
    expect(findSecrets(texts, forms)).toEqual([]);
  });
});
