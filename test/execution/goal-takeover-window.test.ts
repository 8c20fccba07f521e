import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, GOALS, useExecutionEnv, waitFor } from '../helpers/execution.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// An unsandboxed agent that names a dead process as its goal's controller, and keeps writing it
// back faster than the controller's heartbeat could undo it, while `omk goal resume --auto` runs
// in another process: that omk must not take the goal over (the controller is alive, whatever
// goal.json says), the edit is named, and the run ends not ready. Before the window was closed,
// the second omk took the goal for an orphan and ran it too.

const env = useExecutionEnv(BUGGY_FIXTURE);

describe('an unsandboxed agent that makes its controller a dead pid while resume --auto runs', () => {
  it('is not taken over: the second omk finds no orphan, the edit is named, never ready', async () => {
    const started = join(env.kit.dir, 'agent-started');
    const release = join(env.kit.dir, 'agent-release');
    const agent = await goalDirShellAgent(
      env,
      'takeover',
      [
        // A pid that just ended: `resume --auto` would take its goal for an orphan.
        'true & dead=$!; wait $dead',
        `node -e '
const fs = require("node:fs");
const [path, dead, started, release] = process.argv.slice(1);
const forge = () => {
  const goal = JSON.parse(fs.readFileSync(path, "utf8"));
  if (goal.controller && goal.controller.pid !== Number(dead)) {
    goal.controller.pid = Number(dead);
    // Whole or not at all, as omk writes it: a reader never finds it torn.
    fs.writeFileSync(path + ".forged", JSON.stringify(goal, null, 2) + "\\n");
    fs.renameSync(path + ".forged", path);
  }
};
forge();
fs.writeFileSync(started, "");
const timer = setInterval(() => {
  forge();
  if (fs.existsSync(release)) clearInterval(timer);
}, 20);
' "$goal/goal.json" "$dead" "${started}" "${release}"`,
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
    const [id = ''] = await readdir(join(env.stateDir, 'goals'));
    const auto = env.spawnOmk('goal', 'resume', '--auto', '--json');
    let autoEnded = false;
    void auto.exited.then(() => {
      autoEnded = true;
    });
    // It ends at once finding no orphan; one that takes the goal over resumes it and runs it too.
    const types = async () => (await env.events(id)).map((event) => event.type);
    await waitFor(
      'resume --auto to end or take the goal',
      async () => autoEnded || (await types()).includes('goal_resumed'),
    );
    await writeFile(release, '');
    const [result, orphans] = await Promise.all([run.exited, auto.exited]);
    expect((await types()).filter((type) => type === 'goal_resumed')).toEqual([]);
    expect(orphans.code, orphans.stderr).toBe(0);
    expect(JSON.parse(orphans.stdout)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.map((f) => `${f.severity} ${f.message}`)).toContainEqual(
      expect.stringMatching(
        /^blocking state_tampered: goal\.json of this goal was changed \(its controller\)/,
      ),
    );
    expect((await types()).filter((type) => type === 'execution_started')).toHaveLength(1);
  });
});
