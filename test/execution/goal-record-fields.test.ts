import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, GOALS, useExecutionEnv, waitFor } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// An unsandboxed agent that rewrites the fields of its goal's goal.json other omk commands also
// write (status, controller, budget): each is named as a blocking `state_tampered` finding and
// omk's own value counts. Each agent also fixes the fixture's bug as asked, so only the guard
// stands between it and a `ready` proof. A `budget-add` from another process stays allowed.

const env = useExecutionEnv(BUGGY_FIXTURE);

/** Shell lines that rewrite `$goal/goal.json` with `js` applied to the parsed record `goal`. */
const editGoalJson = (js: string) => `node -e '
const fs = require("node:fs");
const path = process.argv[1];
const goal = JSON.parse(fs.readFileSync(path, "utf8"));
${js}
fs.writeFileSync(path, JSON.stringify(goal, null, 2) + "\\n");
' "$goal/goal.json"`;

const TOKENS = 5_000_000;

/** The `state_tampered` findings of the proof naming goal.json. */
async function goalJsonFindings(id: string): Promise<string[]> {
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  return proof.findings
    .filter((f) => f.severity === 'blocking' && f.message.startsWith('state_tampered: goal.json'))
    .map((f) => f.message);
}

describe("an unsandboxed agent that rewrites its goal's goal.json", () => {
  it("pauses its goal, raises its budget and names another controller: each field named, omk's values kept, never ready nor merged", async () => {
    const agent = await goalDirShellAgent(
      env,
      'fields',
      editGoalJson(
        'goal.status = "paused"; goal.resumeTo = "running"; goal.budget = { timeMs: 999999999, tokens: 999999999, usd: 999999 }; goal.controller = { ...goal.controller, host: "elsewhere" };',
      ),
    );
    const main = git(env.repo.root, 'rev-parse', 'main');
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--budget-tokens',
      '5000000',
      '--policy',
      'auto-pr',
      '--merge-policy',
      'gated',
      '--forge',
      'local',
      '--json',
    );
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    // The forged pause did not stop the run: it went to its end, and the finding says what changed.
    expect(result.stdout).toContain('"stoppedBy": null');
    expect(await goalJsonFindings(id)).toContainEqual(
      expect.stringMatching(
        /^state_tampered: goal\.json of this goal was changed \(its status, resumeTo, controller, budget\) by something other than its controller while the agent of s1-\S+ ran; omk put back its own copy/,
      ),
    );
    const goal = await env.goal(id);
    expect(goal.budget).toEqual({ timeMs: null, tokens: TOKENS, usd: null });
    expect(goal.status).not.toBe('merged');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
  });

  it('names a dead process as its controller: put back by the next heartbeat, not taken over; a budget-add meanwhile is not tampering', async () => {
    const started = join(env.kit.dir, 'agent-started');
    const release = join(env.kit.dir, 'agent-release');
    const forgedCopy = join(env.kit.dir, 'forged-goal.json');
    const agent = await goalDirShellAgent(
      env,
      'controller',
      [
        // A pid that just ended: `resume --auto` would take its goal for an orphan.
        'true & dead=$!; wait $dead',
        editGoalJson('goal.controller.pid = Number(process.argv[2]);').replace(
          '"$goal/goal.json"',
          '"$goal/goal.json" "$dead"',
        ),
        // What it wrote, as it wrote it: the controller's next heartbeat may put goal.json back
        // before the test reads it (a loaded machine).
        `cp "$goal/goal.json" ${forgedCopy}`,
        `touch ${started}`,
        `while [ ! -f ${release} ]; do sleep 0.05; done`,
      ].join('\n'),
    );
    const run = env.spawnOmk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--budget-tokens',
      '5000000',
      '--json',
    );
    await waitFor('the agent to rewrite goal.json', () =>
      readFile(started).then(
        () => true,
        () => false,
      ),
    );
    const [id = ''] = await (await import('node:fs/promises')).readdir(join(env.stateDir, 'goals'));
    const forged = JSON.parse(await readFile(forgedCopy, 'utf8')) as Awaited<ReturnType<typeof env.goal>>;
    expect(forged.controller?.pid).not.toBe(run.child.pid);
    const added = await env.omk('goal', 'budget-add', id, '--tokens', '1000000');
    expect(added.code, added.stderr).toBe(0);
    // The controller's next heartbeat writes goal.json with its own pid back.
    const beat = await waitFor('the next heartbeat', async () => {
      const goal = await env.goal(id);
      return goal.controller !== null && goal.controller.heartbeatAt !== forged.controller?.heartbeatAt
        ? goal
        : undefined;
    });
    expect(beat.controller?.pid).toBe(run.child.pid);
    expect(beat.budget.tokens).toBeGreaterThan(TOKENS);
    const orphans = await env.omk('goal', 'resume', '--auto', '--json');
    expect(orphans.code, orphans.stderr).toBe(0);
    expect(JSON.parse(orphans.stdout)).toEqual([]);
    await writeFile(release, '');
    expect((await run.exited).code).toBe(0);
    const findings = await goalJsonFindings(id);
    expect(findings).toContainEqual(
      expect.stringMatching(
        /^state_tampered: goal\.json of this goal was changed \(its controller\) by something/,
      ),
    );
    expect(findings.filter((f) => f.includes('budget'))).toEqual([]);
    expect((await env.events(id)).map((event) => event.type)).toContain('budget_added');
    expect((await env.goal(id)).budget.tokens).toBeGreaterThan(TOKENS);
  });
});
