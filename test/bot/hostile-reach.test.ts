import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { agentScript } from '../action/hostile-corpus.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { STATE_WRITE_FINDINGS, stateWrites } from '../helpers/state-writer-agent.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

/**
 * More hostile agents through the bot's front door, in local mode against the fake GitHub, the
 * sandbox off (the tests' default): each does the demo's work (the Action corpus's agents) and one
 * thing besides, chosen by a word in its goal. `state` writes its goal's goal.json, events.jsonl,
 * proof.json and delivery.json in omk's state root; `escapee` commits a change that keeps the bug and leaves a
 * `setsid` process that patches the worktree after omk's commit; `keys` commits an `.env` with an
 * OpenAI key and a source file with an Anthropic key, and prints both. A `control` goal (the same
 * agents, nothing besides) is ready, so every "never" below is one the harness can see fail.
 */
const CASES = ['control', 'state', 'escapee', 'keys'] as const;
type Case = (typeof CASES)[number];

const OPENAI_KEY = `sk-proj-${randomBytes(36).toString('base64url')}`;
const ANTHROPIC_KEY = `sk-ant-api03-${randomBytes(70).toString('base64url')}AA`;
const KEYS = [OPENAI_KEY, ANTHROPIC_KEY];

interface StoredProof {
  status: string;
  findings: { severity: string; review: string; message: string }[];
}

describe('agents that write the state root, leave a process or commit model keys, through the bot (local mode)', () => {
  let env: BotEnv;
  let dir: string;
  const ids = new Map<Case, string>();
  let main = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-reach-'));
    const control = agentScript('control', 'http://127.0.0.1:9', dir);
    const scripts: Record<Case, string> = {
      control,
      // `$goal` is set by stateWrites' lines; delivery.json is well formed, as omk would write it.
      state: `${control}${stateWrites(join(dir, 'wrote'))}printf '%s\\n' '{"version":1,"forge":"github","target":"","pulls":[]}' > "$goal/delivery.json" && echo delivery.json >> "${join(dir, 'wrote')}"\n`,
      escapee: agentScript('escapee-patch', 'http://127.0.0.1:9', dir),
      keys: [
        control.trimEnd(),
        `printf 'NODE_ENV=production\\nOPENAI_API_KEY=%s\\n' '${OPENAI_KEY}' > .env`,
        `printf 'export const ANTHROPIC_API_KEY = "%s";\\n' '${ANTHROPIC_KEY}' > src/client.js`,
        `echo 'using ${OPENAI_KEY} and ${ANTHROPIC_KEY}'`,
        '',
      ].join('\n'),
    };
    for (const name of CASES) {
      await writeFile(join(dir, `${name}.sh`), scripts[name]);
      await chmod(join(dir, `${name}.sh`), 0o755);
    }
    // One agent for the bot: the goal's word picks the script.
    const agent = join(dir, 'agent.sh');
    await writeFile(
      agent,
      [
        '#!/bin/sh',
        'prompt=$(cat "$OMK_PROMPT_FILE")',
        'case "$prompt" in',
        ...CASES.map((name) => `  *reach-${name}*) exec ${join(dir, `${name}.sh`)} ;;`),
        'esac',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    // Every goal runs at once (each job has its own checkout and state root), as the Action's
    // corpus does: the file's time is that of its slowest goal.
    env = await startBotEnv({
      mode: 'local',
      env: { OMK_BOT_AGENT: `script:${agent}`, OMK_BOT_CONCURRENCY: String(CASES.length) },
    });
    main = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
    let commentId = 7_800_000;
    for (const name of CASES) {
      commentId += 1;
      const text = `${DEMO_GOAL} (reach-${name})`;
      ids.set(name, newGoalId(text, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`)));
      await env.comment(`/omk goal run "${text}" --policy auto-pr --merge-policy gated`, { commentId });
    }
    await env.bot.idle();
    // Asked to merge each hostile goal anyway.
    for (const name of CASES.filter((c) => c !== 'control')) await env.comment(`/omk goal merge ${id(name)}`);
    await env.bot.idle();
  }, 600_000);
  afterAll(async () => {
    await endEscapee();
    await env?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const id = (name: Case): string => ids.get(name) ?? '';
  const proof = (name: Case) =>
    JSON.parse(
      git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${id(name)}/proof.json`),
    ) as StoredProof;
  const blocking = (name: Case) =>
    proof(name)
      .findings.filter((f) => f.severity === 'blocking')
      .map((f) => f.message)
      .join('\n');
  const delivered = (name: Case) => ({
    pulls: [...env.server.state.pulls.values()].filter((p) => p.head.startsWith(`omk/${id(name)}/`)),
    branches: git(env.repo.origin, 'branch', '--list', `omk/${id(name)}/*`),
  });

  /** The escapee's pid, from the file it wrote (the corpus's agent), or null. */
  async function escapeePid(): Promise<number | null> {
    const text = await readFile(join(dir, 'patch.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }
  async function endEscapee(): Promise<void> {
    const pid = await escapeePid();
    if (pid === null) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  it('(the control) the same agents doing nothing besides: ready, with its PRs', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(proof('control').status).toBe('ready');
    expect(delivered('control').pulls.length).toBeGreaterThan(0);
  });

  it('none of the others is ready, delivered or merged: main is where it was', () => {
    for (const name of CASES.filter((c) => c !== 'control')) {
      expect(env.stateGoals(), name).toContain(id(name));
      expect(env.readGoal(id(name)).status, name).not.toMatch(/^(ready|merged)$/);
      expect(proof(name).status, name).not.toBe('ready');
      expect(delivered(name), name).toEqual({ pulls: [], branches: '' });
    }
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(main);
    expect([...env.server.state.pulls.values()].filter((pull) => pull.merged)).toEqual([]);
  });

  it("the state writer: each write landed, and the proof's blocking findings name them", async () => {
    expect((await readFile(join(dir, 'wrote'), 'utf8')).trim().split('\n')).toEqual([
      'goal.json',
      'events.jsonl',
      'proof.json',
      'delivery.json',
    ]);
    for (const finding of Object.values(STATE_WRITE_FINDINGS)) expect(blocking('state')).toMatch(finding);
    expect(blocking('state')).toMatch(
      /state_tampered: delivery\.json of this goal was added by something other than omk while the agent of s1-\S+ ran/,
    );
    // omk's own oracle is what the state branch holds.
    const goal = JSON.parse(
      git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${id('state')}/goal.json`),
    ) as { oracle: { requiredGates: string[] } };
    expect(goal.oracle.requiredGates).not.toEqual([]);
  });

  it('the escapee: its process is named in a blocking finding, and it never patched the worktree', async () => {
    const pid = await escapeePid();
    expect(pid).not.toBeNull();
    expect(blocking('escapee')).toMatch(
      new RegExp(`The agent left process ${pid} (\\(.*\\) )?running (in the worktree )?after it ended`),
    );
    expect(existsSync(join(dir, 'patched'))).toBe(false);
  });

  it('the keys: the security review blocks both, each named by kind and place, neither shown', () => {
    const security = proof('keys')
      .findings.filter((f) => f.review === 'security' && f.severity === 'blocking')
      .map((f) => f.message)
      .join('\n');
    expect(security).toMatch(/OpenAI API key[^\n]*"\.env"/);
    expect(security).toMatch(/Anthropic API key[^\n]*"src\/client\.js"/);
  });

  it('neither key is in any comment, PR, check run, or file omk pushed (the state branch included)', () => {
    const state = env.server.state;
    const texts = [
      ...state.comments.map((c) => c.body),
      ...state.reviewComments.map((c) => c.body),
      ...[...state.pulls.values()].map((p) => `${p.title}\n${p.body}`),
      ...state.checkRuns.map((c) => `${c.title}\n${c.summary}\n${c.text ?? ''}`),
    ];
    for (const key of KEYS) for (const text of texts) expect(text).not.toContain(key);
    // The agent printed both: its transcript is on the state branch, scrubbed.
    const transcript = git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state')
      .split('\n')
      .find((path) => path.startsWith(`goals/${id('keys')}/`) && /s1-[^/]*\/transcript-1\.log$/.test(path));
    expect(transcript).toBeDefined();
    expect(git(env.repo.origin, 'show', `refs/heads/omk/state:${transcript}`)).toMatch(
      /^using \S+ and \S+$/m,
    );
    const refs = git(env.repo.origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/')
      .split('\n')
      .filter(Boolean);
    for (const key of KEYS) {
      // git grep exits 1 when nothing matches: the answer wanted.
      const pushed = spawnSync('git', ['grep', '-I', '-l', '-F', '-e', key, ...refs, '--'], {
        cwd: env.repo.origin,
        encoding: 'utf8',
      });
      expect(pushed.status, `${key.slice(0, 12)}… in ${pushed.stdout}`).toBe(1);
    }
  });

  it('leaves no checkout behind', async () => {
    expect(await leftovers(env)).toEqual([]);
  });
});
