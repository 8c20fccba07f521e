import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, GOALS, useExecutionEnv, waitFor } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// Agents that write omk's own state root, unsandboxed: the goal's evidence (execution.json,
// events.jsonl), another goal's proof, the local forge's records. Each also fixes the fixture's
// bug as asked (its committed failing test then passes), so only the state checks stand between
// it and a `ready` proof: the benign agent of the first state-root test gets `ready`.

const env = useExecutionEnv(BUGGY_FIXTURE);

const shellAgent = (name: string, body: string) => goalDirShellAgent(env, name, body);

/** Delivered through the local forge with a gated merge: a goal that came out `ready` is merged into main. */
async function runGoal(agent: string, deliver = true): Promise<string> {
  const delivery = deliver ? ['--policy', 'auto-pr', '--merge-policy', 'gated', '--forge', 'local'] : [];
  const result = await env.omk(
    'goal',
    'run',
    GOALS.single,
    '--agent',
    agent,
    '--sandbox',
    'off',
    ...delivery,
    '--json',
  );
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/** The goal is not ready nor merged, main did not move, and its `state_tampered` gaps are returned. */
async function expectTampered(id: string, mainBefore: string): Promise<string[]> {
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  expect((await env.goal(id)).status).not.toBe('merged');
  expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
  const tampered = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
  expect(tampered.length, JSON.stringify(proof.knownGaps)).toBeGreaterThan(0);
  // The slice's attempt is blocked too: the finding is in its review.
  expect(
    proof.findings.some((f) => f.severity === 'blocking' && f.message.startsWith('state_tampered:')),
  ).toBe(true);
  return tampered;
}

describe("an unsandboxed agent that writes its own goal's state", () => {
  it('(the control) the same agent writing nothing outside is ready and merged', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const id = await runGoal(await shellAgent('benign', 'true'));
    expect((await env.proof(id)).status).toBe('ready');
    expect((await env.goal(id)).status).toBe('merged');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).not.toBe(main);
  });

  it('flips gate outcomes and the execution state in execution.json: found, put back, never ready', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'execution',
      // A forged field makes the edit certain whatever the file holds; done twice, apart, so a
      // write of the controller's own that lands right after the first edit cannot hide both.
      [
        `sed -i 's/"failed"/"passed"/g; s/"in_progress"/"complete"/; 1s/^{/{"forged":true,/' "$goal/execution.json"`,
        'sleep 0.3',
        `sed -i 's/"failed"/"passed"/g; 1s/^{/{"forged":true,/' "$goal/execution.json"`,
      ].join('\n'),
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringMatching(
        /^execution\.json of this goal was changed by something other than its controller while the agent of \S+ ran; omk put back its own copy/,
      ),
    );
    // What is on disk is omk's own record, which keeps the gap.
    const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
      stateIntegrity: { code: string }[];
    };
    expect(execution.stateIntegrity.map((gap) => gap.code)).toContain('state_tampered');
  });

  it("drops the required gates from goal.json's oracle: found, never ready", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'oracle',
      `node -e '
const fs = require("node:fs");
const path = process.argv[1];
const goal = JSON.parse(fs.readFileSync(path, "utf8"));
goal.oracle.requiredGates = [];
fs.writeFileSync(path, JSON.stringify(goal, null, 2) + "\\n");
' "$goal/goal.json"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringContaining(
        'goal.json of this goal was changed (its goal, oracle, repository or options) by something other than its controller while the agent of',
      ),
    );
    // omk's own oracle is back on disk.
    expect((await env.goal(id)).oracle.requiredGates).not.toEqual([]);
  });

  it('appends a forged gates_verified event to events.jsonl: found, never ready', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'forged-event',
      `printf '%s\\n' '{"v":1,"seq":90,"ts":"2026-01-01T00:00:00.000Z","type":"gates_verified","data":{"taskId":"'"$OMK_TASK_ID"'","outcomes":["test:passed"]}}' >> "$goal/events.jsonl"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringContaining(
        'events.jsonl of this goal was given a line omk did not write (type `gates_verified`) by something other than its controller while the agent of',
      ),
    );
  });

  it('appends a well-formed goal_accepted line, as `omk goal accept` would write it: found, never ready', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'forged-accept',
      // Numbered after the log's last line, with a lifecycle type other omk processes append.
      `seq=$(($(wc -l < "$goal/events.jsonl") + 1))
printf '{"v":1,"seq":%s,"ts":"2026-01-01T00:00:00.000Z","type":"goal_accepted","data":{"from":"running","to":"accepted","summary":"ok"}}\n' "$seq" >> "$goal/events.jsonl"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringContaining(
        'events.jsonl of this goal was given a line omk did not write (type `goal_accepted`) by something other than its controller while the agent of',
      ),
    );
    expect((await env.events(id)).map((event) => event.type)).toContain('goal_accepted');
  });

  it("rewrites the gate logs omk kept of the goal's earlier runs: found, never ready", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const edited = join(env.kit.dir, 'edited-logs');
    const agent = await shellAgent(
      'gate-logs',
      // Says which logs it rewrote, so the test knows the edit happened.
      `for log in "$goal"/artifacts/gates/*.log; do
  [ -f "$log" ] || continue
  printf 'all tests passed\n' > "$log"
  basename "$log" >> ${edited}
done`,
    );
    const id = await runGoal(agent);
    const logs = (await readFile(edited, 'utf8')).trim().split('\n');
    expect(logs.length).toBeGreaterThan(0);
    const tampered = await expectTampered(id, main);
    expect(tampered).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^artifacts/gates/${logs[0]?.replace(/[.]/g, '\\.')} of this goal was changed by something other than its controller while the agent of \\S+ ran; omk keeps only its digest`,
        ),
      ),
    );
  });

  it('rewrites the whole events.jsonl consistently (a line dropped, the rest renumbered): found, never ready', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'rewrite',
      `node -e '
const fs = require("node:fs");
const path = process.argv[1];
const events = fs.readFileSync(path, "utf8").trim().split("\\n").map((line) => JSON.parse(line));
const kept = events.filter((event) => event.type !== "gates_required").map((event, i) => ({ ...event, seq: i + 1 }));
fs.writeFileSync(path, kept.map((event) => JSON.stringify(event)).join("\\n") + "\\n");
' "$goal/events.jsonl"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringContaining(
        'events.jsonl of this goal was rewritten: lines omk had seen were changed or removed by something other than its controller',
      ),
    );
  });
});

describe('an unsandboxed agent that writes elsewhere in the state root', () => {
  it("edits another goal's proof.json: found, never ready", async () => {
    // The same agent without the edit outside: ready (not delivered, so main keeps the bug to fix).
    const first = await runGoal(await shellAgent('benign', 'true'), false);
    expect((await env.proof(first)).status).toBe('ready');
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'other-proof',
      `sed -i 's/"status": "ready"/"status": "blocked_on_human"/' "${env.goalDir(first)}/proof.json"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^goal ${first} proof\\.json in omk's state root was changed while the agent of \\S+ ran`),
      ),
    );
  });

  it("edits the local forge's forge.json: found, never ready", async () => {
    const forge = join(env.stateDir, 'forge', 'local-repo');
    await mkdir(forge, { recursive: true });
    await writeFile(
      join(forge, 'forge.json'),
      `${JSON.stringify({ version: 1, pulls: [], checkRuns: [] })}\n`,
    );
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'forge',
      `printf '%s\\n' '{"version":1,"pulls":[],"checkRuns":[{"id":1,"name":"omk/proof","headSha":"0000000000000000000000000000000000000000","conclusion":"success","title":"ready","summary":"","externalId":"x"}]}' > "${forge}/forge.json"`,
    );
    const id = await runGoal(agent);
    expect(await expectTampered(id, main)).toContainEqual(
      expect.stringMatching(
        /^forge\.json of the local forge in omk's state root was changed while the agent of/,
      ),
    );
  });
});

describe('another omk process acting on the goal while its agent runs', () => {
  it('`omk goal pause` from another process is not tampering', async () => {
    const started = join(env.kit.dir, 'agent-started');
    const release = join(env.kit.dir, 'agent-release');
    const agent = await shellAgent(
      'waits',
      `touch ${started}\nwhile [ ! -f ${release} ]; do sleep 0.05; done`,
    );
    const run = env.spawnOmk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'off', '--json');
    await waitFor(
      'the agent to start',
      async () => {
        try {
          await readFile(started);
          return true;
        } catch {
          return false;
        }
      },
      20_000,
    );
    const goals = await (await import('node:fs/promises')).readdir(join(env.stateDir, 'goals'));
    const id = goals[0] ?? '';
    const paused = await env.omk('goal', 'pause', id);
    expect(paused.code, paused.stderr).toBe(0);
    await writeFile(release, '');
    await run.exited;
    expect((await env.goal(id)).status).toBe('paused');
    const proof = await env.proof(id);
    expect(proof.knownGaps.filter((gap) => gap.code === 'state_tampered')).toEqual([]);
    expect(proof.findings.filter((f) => f.message.startsWith('state_tampered'))).toEqual([]);
    expect((await env.events(id)).map((event) => event.type)).toContain('goal_paused');
  });
});
