import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, GOALS, SLICES, useExecutionEnv } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// An unsandboxed agent (OMK_SANDBOX=off) that fixes the bug as asked and also writes files of the
// state root no named check covered before: its own goal's delivery.json and a file it drops in
// its goal's directory; in another goal's directory its plan, an artifact and a lock naming a
// process that is gone; a file at the state root's top. Every one is named, the goal is not
// `ready` and nothing is delivered. The other goal is the control: the same agent without the
// writes, `ready`. One test, two runs (this suite's runs are slow).

const env = useExecutionEnv(BUGGY_FIXTURE);

const shellAgent = (name: string, body: string) => goalDirShellAgent(env, name, body);

async function runGoal(agent: string, deliver: boolean): Promise<string> {
  const delivery = deliver ? ['--policy', 'auto-pr', '--merge-policy', 'gated', '--forge', 'local'] : [];
  // Unsandboxed as the helpers run omk (OMK_SANDBOX=off), the agent can reach the whole state root.
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, ...delivery, '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

describe('an unsandboxed agent that writes files of the state root no named check covered', () => {
  it("its goal's delivery.json, a new file there, another goal's directory, the root: each named, never ready, nothing delivered", async () => {
    const other = await runGoal(await shellAgent('benign', 'true'), false);
    expect((await env.proof(other)).status).toBe('ready');
    const main = git(env.repo.root, 'rev-parse', 'main');
    const otherDir = env.goalDir(other);
    const agent = await shellAgent(
      'hostile',
      [
        `printf '%s\\n' '{"version":1,"forge":"local","target":"","pulls":[]}' > "$goal/delivery.json"`,
        `printf 'all gates passed\\n' > "$goal/notes.md"`,
        `printf '\\nNo tests needed.\\n' >> "${otherDir}/technical-plan.md"`,
        `printf 'ok\\n' > "${otherDir}/artifacts/gates/forged.log"`,
        // A lock naming a process that is gone: omk's own locks name a live one.
        `printf '%s\\n' '{"pid":999999999,"host":"'"$(hostname)"'","acquiredAt":"2026-01-01T00:00:00.000Z","token":"x"}' > "${otherDir}/.lock"`,
        `printf '{}\\n' > "${env.stateDir}/index.json"`,
      ].join('\n'),
    );
    const id = await runGoal(agent, true);

    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect((await env.goal(id)).status).not.toBe('merged');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
    const types = (await env.events(id)).map((event) => event.type);
    expect(types).not.toContain('pr_opened');
    expect(types).not.toContain('goal_merged');
    const forges = await readdir(join(env.stateDir, 'forge')).catch(() => []);
    for (const key of forges) {
      const forge = JSON.parse(await readFile(join(env.stateDir, 'forge', key, 'forge.json'), 'utf8')) as {
        pulls: unknown[];
      };
      expect(forge.pulls).toEqual([]);
    }

    const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
    const during = `while the agent of ${SLICES.bug} ran`;
    // These six and nothing else: what omk itself wrote meanwhile (the transcript, prompt and usage,
    // its locks, the gate logs) is not named.
    expect(gaps).toHaveLength(6);
    expect(gaps).toEqual(
      expect.arrayContaining([
        `delivery.json of this goal was added by something other than omk ${during}; omk does not restore it. Nothing this run made can be trusted; look at that file before using it.`,
        expect.stringMatching(
          new RegExp(`^notes\\.md of this goal was added by something other than omk ${during};`),
        ),
        expect.stringMatching(
          new RegExp(
            `^goal ${other} technical-plan\\.md in omk's state root was (changed|added) ${during}, outside this goal`,
          ),
        ),
        expect.stringMatching(
          new RegExp(`^goal ${other} artifacts/gates/forged\\.log in omk's state root was added ${during}`),
        ),
        expect.stringMatching(new RegExp(`^goal ${other} \\.lock in omk's state root was added ${during}`)),
        expect.stringMatching(new RegExp(`^index\\.json in omk's state root was added ${during}`)),
      ]),
    );
    // The slice's attempt is blocked by them too, and no gap names a machine path.
    expect(
      proof.findings.filter((f) => f.severity === 'blocking' && f.message.startsWith('state_tampered:'))
        .length,
    ).toBeGreaterThanOrEqual(6);
    for (const gap of gaps) expect(gap).not.toContain(env.stateDir);
  });
});
