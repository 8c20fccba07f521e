import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { STATE_WRITE_FINDINGS, stateWrites } from '../helpers/state-writer-agent.js';
import { ACTION_ENTRY, type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG } from './harness.js';
import { agentScript } from './hostile-corpus.js';

/**
 * An agent in the Action, unsandboxed, that does the demo's work (the corpus's control agent) and
 * then writes its own goal's directory in omk's state root on the runner: it drops the required
 * gates from goal.json's oracle, appends a forged `gates_verified` line to events.jsonl, and writes
 * a proof.json that says ready, and writes its delivery.json and drops a file there (files no named
 * check covered before the whole state root was compared). A second writes proof.json only (a write omk's next proof covers,
 * which the watch of the goal's own evidence did not see). The control (the same agent, no write)
 * runs beside them, so only the state checks stand between a writer and a ready, merged goal.
 */
interface Attempt {
  env: ActionEnv;
  run: ActionRun;
  proof: Proof;
  mainBefore: string;
}

let marks: string;
type Name = 'control' | 'writer' | 'proof';
const attempts: Partial<Record<Name, Attempt>> = {};
const attempt = (name: Name): Attempt => {
  const found = attempts[name];
  if (found === undefined) throw new Error(`no attempt for ${name}`);
  return found;
};

async function runAgent(script: string): Promise<Attempt> {
  const env = await createActionEnv({ executables: { 'tools/agent.sh': script }, files: NO_CI_CONFIG });
  const mainBefore = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  const run = await env.run(
    {
      goal: DEMO_GOAL,
      agent: 'script:./tools/agent.sh',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      sandbox: 'off',
    },
    {},
    // Three steps at once on a loaded machine: more than the usual 120 s.
    { args: [ACTION_ENTRY], cwd: env.repo.root, timeoutMs: 300_000 },
  );
  const json = run.outputs['proof-json'] ?? '';
  expect(json, run.stdout.slice(-3000)).not.toBe('');
  return { env, run, proof: proofSchema.parse(JSON.parse(json)), mainBefore };
}

beforeAll(async () => {
  marks = await mkdtemp(join(tmpdir(), 'omk-state-writer-'));
  // The corpus's control agent needs neither its trap nor its pid directory.
  const control = agentScript('control', 'http://127.0.0.1:9', marks);
  // The writer also writes files no named check covered before: its goal's delivery.json (well
  // formed) and a file it drops in its goal's directory (`$goal` is set by stateWrites' lines).
  const dropped = [
    `printf '%s\\n' '{"version":1,"forge":"github","target":"","pulls":[]}' > "$goal/delivery.json"`,
    `printf 'all gates passed\\n' > "$goal/notes.md"`,
    '',
  ].join('\n');
  const writer = `${control}${stateWrites(join(marks, 'wrote'))}${dropped}`;
  const proof = `${control}${stateWrites(join(marks, 'wrote-proof'), ['proof.json'])}`;
  const [a, b, c] = await Promise.all([runAgent(control), runAgent(writer), runAgent(proof)]);
  attempts.control = a;
  attempts.writer = b;
  attempts.proof = c;
}, 600_000);
afterAll(async () => {
  await Promise.all(Object.values(attempts).map((a) => a.env.cleanup()));
  await rm(marks, { recursive: true, force: true });
});

const blocking = (a: Attempt) =>
  a.proof.findings
    .filter((f) => f.severity === 'blocking')
    .map((f) => f.message)
    .join('\n');

describe("an agent that writes its goal's state in the Action", () => {
  it('(the control) the same agent writing nothing outside is ready and merged', () => {
    const a = attempt('control');
    expect(a.run.outputs.status, a.run.stdout.slice(-3000)).toBe('ready');
    expect(a.run.outputs.merged).toBe('true');
    expect(git(a.env.repo.origin, 'rev-parse', 'refs/heads/main')).not.toBe(a.mainBefore);
  });

  it('wrote goal.json, events.jsonl and proof.json: the test saw each write land', async () => {
    expect((await readFile(join(marks, 'wrote'), 'utf8')).trim().split('\n')).toEqual([
      'goal.json',
      'events.jsonl',
      'proof.json',
    ]);
  });

  it('is never ready: nothing is merged or delivered, main is where it was', () => {
    const a = attempt('writer');
    expect(a.run.outputs.status).not.toBe('ready');
    expect(a.proof.status).not.toBe('ready');
    expect(a.run.outputs.merged).not.toBe('true');
    expect([...a.env.server.state.pulls.values()]).toEqual([]);
    expect(git(a.env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(a.mainBefore);
    expect(git(a.env.repo.origin, 'branch', '--list', 'omk/*/*')).toBe('');
  });

  it('has blocking findings naming the goal.json, events.jsonl and proof.json writes, and a state_tampered gap', () => {
    const a = attempt('writer');
    for (const finding of Object.values(STATE_WRITE_FINDINGS)) expect(blocking(a)).toMatch(finding);
    expect(a.proof.knownGaps.map((gap) => gap.code)).toContain('state_tampered');
  });

  it('has blocking findings naming the delivery.json it wrote and the file it dropped in its goal', () => {
    const a = attempt('writer');
    expect(blocking(a)).toMatch(
      /state_tampered: delivery\.json of this goal was added by something other than omk while the agent of s1-\S+ ran/,
    );
    expect(blocking(a)).toMatch(
      /state_tampered: notes\.md of this goal was added by something other than omk while the agent of s1-\S+ ran/,
    );
  });

  it("keeps omk's own goal on the state branch: the oracle's gates, and the proof it made", () => {
    const a = attempt('writer');
    const show = (file: string) =>
      JSON.parse(git(a.env.repo.origin, 'show', `refs/heads/omk/state:goals/${a.proof.goalId}/${file}`));
    expect((show('goal.json') as { oracle: { requiredGates: string[] } }).oracle.requiredGates).not.toEqual(
      [],
    );
    const stored = proofSchema.parse(show('proof.json'));
    expect(stored.status).toBe(a.proof.status);
    expect(stored.digest).toBe(a.proof.digest);
  });

  it('(proof.json only) is never ready nor merged, and the finding names the proof.json write', async () => {
    expect((await readFile(join(marks, 'wrote-proof'), 'utf8')).trim()).toBe('proof.json');
    const a = attempt('proof');
    expect(a.run.outputs.status).not.toBe('ready');
    expect(a.run.outputs.merged).not.toBe('true');
    expect([...a.env.server.state.pulls.values()]).toEqual([]);
    expect(git(a.env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(a.mainBefore);
    expect(blocking(a)).toMatch(STATE_WRITE_FINDINGS['proof.json']);
  });
});
