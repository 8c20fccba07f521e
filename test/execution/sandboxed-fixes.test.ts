import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { createExecutionEnv, type ExecutionEnv, GOALS, TODO_FIXTURE } from '../helpers/execution.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { REVIEW_FIX_AGENT } from '../helpers/review-fix-agent.js';

// The review/fix loop's agent and the integration repair's agent, sandboxed: each tries to plant
// `.git/hooks/post-commit`, read the user's `~/.git-credentials` and write outside its worktree.
// Confined as a slice's agent is, every attempt fails inside the agent, so nothing outside changes
// and no token reaches a transcript or a branch; the same agent unconfined gets out, is caught by
// the integrity checks, and its goal is never ready. Where this host cannot confine, `required`
// refuses before the agent runs, and the test says so instead of skipping.

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const TOKEN = 'ghp_sandboxedFixTokenAAAAAAAAAAAAAAAAAAAAAAA';
let host: SandboxAvailability;

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH } }).probe();
  if (!host.available) {
    process.stderr.write(
      `sandboxed-fixes: this host cannot confine (${host.reason}); checking the refusal only\n`,
    );
  }
});

/** Shell lines that try each way out and print `ESCAPED <way>` or `blocked <way>`. */
function escapes(home: string, outside: string, marker: string): string[] {
  return [
    'common=$(git rev-parse --git-common-dir)',
    'try() { if sh -c "$2" 2>/dev/null; then echo "ESCAPED $1"; else echo "blocked $1"; fi; }',
    `try hook 'printf "#!/bin/sh\\ntouch ${marker}\\n" > "'"$common"'/hooks/post-commit" && chmod +x "'"$common"'/hooks/post-commit"'`,
    `try credentials 'grep -h ghp_ "${home}/.git-credentials"'`,
    `try outside 'touch ${outside}'`,
  ];
}

async function transcripts(goalDir: string): Promise<string> {
  const root = join(goalDir, 'artifacts', 'agent-runs');
  let text = '';
  for (const task of await readdir(root)) {
    for (const file of await readdir(join(root, task))) {
      if (file.startsWith('transcript-')) text += await readFile(join(root, task, file), 'utf8');
    }
  }
  return text;
}

function expectAllBlocked(transcript: string): void {
  for (const way of ['hook', 'credentials', 'outside']) expect(transcript).toContain(`blocked ${way}`);
  expect(transcript).not.toContain('ESCAPED');
  expect(transcript).not.toContain(TOKEN);
}

describe('a hostile review-fix agent (omk goal fix) under sandbox: required', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let dir: string;
  let id = '';
  let pulls: { sliceId: string | null; number: number }[] = [];
  const omk = (sandbox: string, ...args: string[]) =>
    runOmk(args, { cwd: repo.root, stateDir: state.dir, env: { OMK_SANDBOX: sandbox } });
  const proof = async () =>
    JSON.parse((await omk('off', 'goal', 'proof', id, '--json')).stdout) as {
      status: string;
      findings: { severity: string; message: string }[];
      decisions: { kind: string; decision: string }[];
    };

  async function fixAgent(name: string, outside: string, marker: string): Promise<string> {
    const path = join(dir, `${name}.sh`);
    await writeFile(
      path,
      [
        '#!/bin/sh',
        `case "$(head -c 12 "$OMK_PROMPT_FILE")" in '# Review fix') ;; *) exec node ${join(dir, 'slices.mjs')} ;; esac`,
        "printf 'export const VERSION = 2;\\n' >> src/math.js",
        ...escapes(state.dir, outside, marker),
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    return `script:${path}`;
  }

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    dir = await mkdtemp(join(tmpdir(), 'omk-sandboxed-fix-'));
    // The omk user's HOME (runOmk sets it to the state directory) holds a stored token.
    await writeFile(join(state.dir, '.git-credentials'), `https://x-access-token:${TOKEN}@github.com\n`);
    await writeFile(join(dir, 'slices.mjs'), REVIEW_FIX_AGENT);
    await chmod(join(dir, 'slices.mjs'), 0o755);
    if (!host.available) return;
    const run = await omk(
      'required',
      'goal',
      'run',
      DEMO_GOAL,
      '--agent',
      `script:${join(dir, 'slices.mjs')}`,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const opened = await omk('required', 'goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
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

  it('confined: every way out fails inside the agent and nothing outside changes; unconfined: caught, never ready', async () => {
    const outside = join(dir, 'outside-marker');
    const marker = join(dir, 'hook-ran');
    const agent = await fixAgent('hostile', outside, marker);
    if (!host.available) {
      // No goal could be run confined here; a refused `goal run` is the whole story.
      const refused = await omk('required', 'goal', 'run', DEMO_GOAL, '--agent', agent);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('sandbox: required, but this host cannot confine agents');
      expect(existsSync(outside)).toBe(false);
      return;
    }
    const main = git(repo.root, 'rev-parse', 'main');
    const config = await readFile(join(repo.root, '.git', 'config'));
    const slicePr = pulls.find((pull) => pull.sliceId !== null)?.number ?? 0;
    const fix = (sandbox: string) =>
      omk(
        sandbox,
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

    const confined = await fix('required');
    expect(confined.code, confined.stderr).toBe(0);
    const goalDir = join(state.dir, 'goals', id);
    expectAllBlocked(await transcripts(goalDir));
    expect(existsSync(join(repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect((await readFile(join(repo.root, '.git', 'config'))).equals(config)).toBe(true);
    expect(existsSync(outside)).toBe(false);
    // Nothing got out: the fix stands on its own, the sandbox recorded, no finding to make.
    const after = await proof();
    expect(after.findings.filter((f) => f.severity === 'blocking')).toEqual([]);
    expect(after.decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: 'sandboxed' }),
    );
    expect(git(repo.root, 'log', '-p', '--all')).not.toContain(TOKEN);

    // The same agent unconfined: it gets out, the checks catch it, and the goal is never ready.
    const unconfined = await fix('off');
    expect(unconfined.code).toBe(10);
    expect(await transcripts(goalDir)).toContain('ESCAPED hook');
    expect((JSON.parse(unconfined.stdout) as { proofStatus: string }).proofStatus).not.toBe('ready');
    expect((await proof()).findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining(
        'The agent added .git/hooks/post-commit, outside its worktree; omk restored it',
      ),
    );
    expect(existsSync(join(repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    const merged = await omk('off', 'goal', 'merge', id, '--json');
    expect(merged.code).toBe(4);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    expect(existsSync(marker)).toBe(false);
  }, 300_000);
});

describe('a hostile integration-repair agent under sandbox: required', () => {
  let env: ExecutionEnv;
  beforeEach(async () => {
    env = await createExecutionEnv(TODO_FIXTURE);
    await writeFile(join(env.stateDir, '.git-credentials'), `https://x-access-token:${TOKEN}@github.com\n`);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  /** A shell agent (the kit's agents log outside their worktree, which a sandbox refuses). */
  async function repairAgent(outside: string, marker: string): Promise<string> {
    const path = join(env.kit.dir, 'hostile-repair.sh');
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'case "$OMK_TASK_ID" in',
        "  s1-*) echo 'TODO: document the parser' >> README.md ;;",
        "  s2-*) echo '// TODO: make it faster' >> src/parser.js",
        "        sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js ;;",
        '  integration)',
        "    sed -i 's/TODO: document the parser/The parser keeps text./' README.md",
        ...escapes(env.stateDir, outside, marker).map((line) => `    ${line}`),
        '    ;;',
        'esac',
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    return `script:${path}`;
  }

  it('confined: repairs the merged tree, every way out fails, ready; unconfined: caught, never ready', async () => {
    const outside = join(env.kit.dir, 'outside-marker');
    const marker = join(env.kit.dir, 'hook-ran');
    const agent = await repairAgent(outside, marker);
    const run = (sandbox: string) =>
      env.omk(
        'goal',
        'run',
        GOALS.parallel,
        '--agent',
        agent,
        '--until-ready',
        '--sandbox',
        sandbox,
        '--json',
      );
    const confined = await run('required');
    if (!host.available) {
      expect(confined.code).not.toBe(0);
      expect(confined.stderr).toContain('sandbox: required, but this host cannot confine agents');
      expect(existsSync(join(env.stateDir, 'goals'))).toBe(false);
      return;
    }
    expect(confined.code, confined.stderr).toBe(0);
    const id = (JSON.parse(confined.stdout) as { goal: { id: string } }).goal.id;
    const transcript = await readFile(
      join(env.goalDir(id), 'artifacts', 'agent-runs', 'integration', 'transcript-1.log'),
      'utf8',
    );
    expectAllBlocked(transcript);
    expect(existsSync(join(env.repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(existsSync(outside)).toBe(false);
    const proof = await env.proof(id);
    expect(proof.findings.filter((f) => f.severity === 'blocking')).toEqual([]);
    expect(proof.agentRuns.filter((r) => r.taskId === 'integration')).toEqual([
      expect.objectContaining({ outcome: 'succeeded' }),
    ]);
    expect(proof.status).toBe('ready');

    // Unconfined, the same repair plants its hook: restored, untrusted, never ready.
    const unconfined = await run('off');
    expect(unconfined.code).toBe(10);
    const offId = (JSON.parse(unconfined.stdout) as { goal: { id: string } }).goal.id;
    const offProof = await env.proof(offId);
    expect(offProof.status).not.toBe('ready');
    expect(offProof.findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining(
        'The agent added .git/hooks/post-commit, outside its worktree; omk restored it',
      ),
    );
    expect(existsSync(join(env.repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    await rm(outside, { force: true });
  }, 300_000);
});
