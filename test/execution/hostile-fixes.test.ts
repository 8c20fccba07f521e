import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { isAlive } from '../helpers/agents.js';
import {
  eventsOfType,
  fixTheParser,
  GOALS,
  SLICES,
  TODO_FIXTURE,
  useExecutionEnv,
  waitFor,
} from '../helpers/execution.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { REVIEW_FIX_AGENT } from '../helpers/review-fix-agent.js';

// The review/fix loop's agent and the integration repair's agent run with the reach a slice's
// agent has, on branches omk pushes: the same integrity checks stand around them. The sandbox is
// off, so only those checks stand between a hostile agent and a `ready` proof.

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
});

interface Proof {
  status: string;
  findings: { severity: string; message: string }[];
}

describe('a hostile review-fix agent (omk goal fix)', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let dir: string;
  let id = '';
  let pulls: { sliceId: string | null; number: number }[] = [];
  const omk = (...args: string[]) =>
    runOmk(args, { cwd: repo.root, stateDir: state.dir, env: { OMK_SANDBOX: 'off' } });
  const proof = async (): Promise<Proof> =>
    JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as Proof;
  const blocking = async () =>
    (await proof()).findings.filter((f) => f.severity === 'blocking').map((f) => f.message);

  /** On a slice the review-fix agent's work; on the review fix, a harmless edit and then `body`. */
  async function fixAgent(name: string, body: string): Promise<string> {
    const path = join(dir, `${name}.sh`);
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'set -e',
        `case "$(head -c 12 "$OMK_PROMPT_FILE")" in '# Review fix') ;; *) exec node ${join(dir, 'slices.mjs')} ;; esac`,
        "printf 'export const VERSION = 2;\\n' >> src/math.js",
        'common=$(git rev-parse --git-common-dir)',
        body,
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    return `script:${path}`;
  }

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    dir = await mkdtemp(join(tmpdir(), 'omk-hostile-fix-'));
    await writeFile(join(dir, 'slices.mjs'), REVIEW_FIX_AGENT);
    await chmod(join(dir, 'slices.mjs'), 0o755);
    const run = await omk(
      'goal',
      'run',
      DEMO_GOAL,
      '--agent',
      `script:${join(dir, 'slices.mjs')}`,
      '--until-ready',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const opened = await omk('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
    expect(opened.code, opened.stderr).toBe(0);
    pulls = (JSON.parse(opened.stdout) as { delivered: { sliceId: string | null; number: number }[] })
      .delivered;
    expect((await proof()).status).toBe('ready');
  }, 240_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('on a slice PR: plants a hook, edits .git/config and forges the object of its edit; blocked, both restored, never merged', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const config = await readFile(join(repo.root, '.git', 'config'));
    const slicePr = pulls.find((pull) => pull.sliceId !== null)?.number ?? 0;
    const agent = await fixAgent(
      'hook-config',
      [
        `printf '#!/bin/sh\\ntouch ${join(dir, 'hook-ran')}\\n' > "$common/hooks/post-commit"`,
        'chmod +x "$common/hooks/post-commit"',
        'git config core.hooksPath /tmp/evil-hooks',
        // The loose object of its edit, rewritten under the same id to hold the file as it was.
        'real=$(git hash-object -w src/math.js)',
        'clean=$(git hash-object -w --stdin < "$(git rev-parse --show-toplevel)/README.md")',
        'at() { echo "$common/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-)"; }',
        'chmod u+w "$(at "$real")"',
        'cp "$(at "$clean")" "$(at "$real")"',
      ].join('\n'),
    );
    const fixed = await omk(
      'goal',
      'fix',
      id,
      '--pr',
      String(slicePr),
      'add a VERSION export',
      '--agent',
      agent,
      '--json',
    );
    expect(fixed.code, fixed.stderr).toBe(10);
    const outcome = JSON.parse(fixed.stdout) as { kind: string; proofStatus: string };
    expect(outcome.kind).toBe('failed');
    expect(outcome.proofStatus).not.toBe('ready');
    expect(await blocking()).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'The agent added .git/hooks/post-commit, outside its worktree; omk restored it',
        ),
        expect.stringContaining('The agent changed .git/config, outside its worktree; omk restored it'),
      ]),
    );
    // The fix's own review refuses the forged object: its commit never reaches the branch.
    const events = await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8');
    const refusals = events
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: { why?: string } })
      .filter((event) => event.type === 'task_failed')
      .map((event) => event.data.why ?? '');
    expect(refusals).toContainEqual(
      expect.stringContaining('The object of "src/math.js" in omk\'s commit does not hold what its id says'),
    );
    expect(existsSync(join(repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect((await readFile(join(repo.root, '.git', 'config'))).equals(config)).toBe(true);
    const merged = await omk('goal', 'merge', id, '--json');
    expect(merged.code).toBe(4);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    git(repo.root, 'commit', '--quiet', '--allow-empty', '-m', 'after');
    expect(existsSync(join(dir, 'hook-ran'))).toBe(false);
    git(repo.root, 'reset', '--quiet', '--hard', main);
  }, 180_000);

  it('on the integrator PR: leaves a setsid process behind; killed, blocked, never merged', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const integrator = pulls.find((pull) => pull.sliceId === null)?.number ?? 0;
    const pidFile = join(dir, 'stray.pid');
    const agent = await fixAgent(
      'setsid',
      // It waits until the escapee runs in its own session: ended earlier, the escapee would still be
      // in the agent's process group and die with it, which is no escape to find.
      [
        `setsid sh -c 'touch ${pidFile}.up; sleep 2; echo "// patched later" >> src/math.js; sleep 300' </dev/null >/dev/null 2>&1 &`,
        `echo $! > ${pidFile}`,
        `while [ ! -f ${pidFile}.up ]; do sleep 0.05; done`,
      ].join('\n'),
    );
    const fixed = await omk(
      'goal',
      'fix',
      id,
      '--pr',
      String(integrator),
      'add a VERSION export',
      '--agent',
      agent,
      '--json',
    );
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    expect(fixed.code, fixed.stderr).toBe(10);
    expect((JSON.parse(fixed.stdout) as { proofStatus: string }).proofStatus).not.toBe('ready');
    expect(await blocking()).toContainEqual(
      expect.stringMatching(
        new RegExp(`^The agent left process ${pid} running in the worktree after it ended`),
      ),
    );
    await waitFor('the escapee to be gone', () => !isAlive(pid), 5_000);
    const merged = await omk('goal', 'merge', id, '--json');
    expect(merged.code).toBe(4);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
  }, 180_000);
});

describe('a hostile integration-repair agent', () => {
  const env = useExecutionEnv(TODO_FIXTURE);

  it('repairs the merged tree but plants a hook: blocked, the hook removed, no second attempt, never ready', async () => {
    const marker = join(env.kit.dir, 'hook-ran');
    const agent = await env.kit.script(
      'hostile-repair',
      `
if (task === '${SLICES.readme}') append('README.md', 'TODO: document the parser\\n');
else if (task === '${SLICES.parserSecond}') append('src/parser.js', '// TODO: make it faster\\n');
${fixTheParser}
if (task === 'integration') {
  write('README.md', read('README.md').replace('TODO: document the parser\\n', 'The parser keeps text.\\n'));
  const { execFileSync } = await import('node:child_process');
  const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { encoding: 'utf8' }).trim();
  write(common + '/hooks/post-merge', '#!/bin/sh\\ntouch ${marker}\\n');
  execFileSync('chmod', ['+x', common + '/hooks/post-merge']);
}`,
    );
    const result = await env.omk(
      'goal',
      'run',
      GOALS.parallel,
      '--agent',
      agent,
      '--until-ready',
      '--sandbox',
      'off',
      '--json',
    );
    expect(result.code, result.stderr).toBe(10);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toContainEqual(
      expect.stringContaining('The agent added .git/hooks/post-merge, outside its worktree; omk restored it'),
    );
    expect(existsSync(join(env.repo.root, '.git', 'hooks', 'post-merge'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect((await env.kit.runs()).filter((run) => run.task === 'integration')).toHaveLength(1);
    expect(
      eventsOfType(await env.events(id), 'integration_repair_finished').map((e) => e.data.outcome),
    ).toEqual(['untrusted']);
    expect(result.stderr).toContain('the repair agent reached outside its worktree');
  }, 180_000);
});
