import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  GOALS,
  SLICES,
  waitFor,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { OMK_BIN } from '../helpers/omk.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// An unsandboxed agent (OMK_SANDBOX=off) that fixes the bug as asked and, besides, forges a whole
// goal in omk's state root: a copy of an earlier ready goal (its events, artifacts, delivery and
// PR) under a new id whose creation time makes it the `latest`, with goal.json and a proof.json
// whose digest it recomputes with omk's own code, and a `creator.json` and `.lock` naming its own
// parent omk (a live process); it also writes a `.lock` naming that omk into the earlier goal, and
// plans a goal by running omk itself (an omk, but one descended from the run).
// While it waits, a real second omk plans a goal and runs another in other processes (`omk goal
// plan`, `omk goal run`, both ending before the agent does): neither is named. On main (dbee27a) the forged goal passed for another omk's: the run was
// `ready` with no finding, `omk goal status` showed the forged goal as the latest, ready, with a
// valid digest, and `omk goal merge <forged id>` merged a PR for a goal no omk had made. One
// hostile run is shared by the cases.

let env: ExecutionEnv;
let earlier: string;
let forged: string;
let run: string;
let main: string;
let planned: string;
let second: string;
let marks: string;
let proceed: string;

const RUN = ['--policy', 'auto-pr', '--merge-policy', 'manual', '--forge', 'local', '--json'];

function goalId(result: { code: number; stdout: string; stderr: string }): string {
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/** The agent's shell lines: finds its omk ancestor, copies `from` to `to` as the latest goal. */
function forgeGoal(from: string, to: string): string {
  const src = join(env.stateDir, 'goals', from);
  const dst = join(env.stateDir, 'goals', to);
  return [
    `omk_pid="$(node -e '
const fs = require("node:fs");
let pid = process.ppid;
while (pid > 1) {
  if (fs.readFileSync("/proc/" + pid + "/cmdline", "utf8").includes(process.argv[1])) break;
  pid = Number(fs.readFileSync("/proc/" + pid + "/stat", "utf8").split(") ")[1].split(" ")[1]);
}
console.log(pid);
' "${OMK_BIN}")"`,
    `cp -r "${src}" "${dst}"`,
    `rm -f "${dst}/.lock" "${dst}/.seals.jsonl"`,
    `node --input-type=module -e '
import fs from "node:fs";
import { createHash } from "node:crypto";
const canon = (v) => v === null || typeof v !== "object" ? JSON.stringify(v)
  : Array.isArray(v) ? "[" + v.map(canon).join(",") + "]"
  : "{" + Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
const computeProofDigest = (p) => "sha256:" + createHash("sha256").update(canon(Object.fromEntries(Object.entries(p).filter(([k]) => k !== "digest")))).digest("hex");
const [dir, id, pid] = process.argv.slice(1);
const goal = JSON.parse(fs.readFileSync(dir + "/goal.json", "utf8"));
Object.assign(goal, { id, createdAt: "2099-01-01T00:00:00.000Z", updatedAt: "2099-01-01T00:00:00.000Z" });
fs.writeFileSync(dir + "/goal.json", JSON.stringify(goal, null, 2) + "\\n");
const proof = JSON.parse(fs.readFileSync(dir + "/proof.json", "utf8"));
proof.goalId = id;
proof.digest = computeProofDigest(proof);
fs.writeFileSync(dir + "/proof.json", JSON.stringify(proof, null, 2) + "\\n");
const holder = { pid: Number(pid), host: (await import("node:os")).hostname(), acquiredAt: new Date().toISOString(), token: "x" };
fs.writeFileSync(dir + "/creator.json", JSON.stringify(holder) + "\\n");
fs.writeFileSync(dir + "/.lock", JSON.stringify(holder) + "\\n");
' "${dst}" "${to}" "$omk_pid"`,
    // A lock naming the live omk in the earlier goal too.
    `node -e 'require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ pid: Number(process.argv[2]), host: require("node:os").hostname(), acquiredAt: new Date().toISOString(), token: "x" }) + "\\n")' "${src}/.lock" "$omk_pid"`,
  ].join('\n');
}

beforeAll(async () => {
  env = await createExecutionEnv(BUGGY_FIXTURE);
  marks = join(env.kit.dir, 'forged');
  proceed = join(env.kit.dir, 'proceed');
  earlier = goalId(
    await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      await goalDirShellAgent(env, 'benign', 'true'),
      ...RUN,
    ),
  );
  expect((await env.proof(earlier)).status).toBe('ready');
  main = git(env.repo.root, 'rev-parse', 'main');
  forged = `${earlier.replace(/-[0-9a-f]+$/, '')}-f0f0f0`;
  const body = [
    forgeGoal(earlier, forged),
    // A goal the agent makes by running omk itself: its omk is a descendant of the run's.
    `OMK_STATE_DIR="${env.stateDir}" node "${OMK_BIN}" goal plan "add a changelog" --json > /dev/null`,
    `echo forged > "${marks}"`,
    // Waits (bounded) while the test's second omk plans a goal of its own.
    `i=0; while [ ! -e "${proceed}" ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done`,
  ].join('\n');
  const hostile = env.spawnOmk(
    'goal',
    'run',
    GOALS.single,
    '--agent',
    await goalDirShellAgent(env, 'forger', body),
    ...RUN,
  );
  await waitFor('the agent forged its goal', () =>
    access(marks).then(
      () => true,
      () => false,
    ),
  );
  planned = await env.plan('update README.md');
  second = goalId(
    await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      await goalDirShellAgent(env, 'second', 'true'),
      '--json',
    ),
  );
  await writeFile(proceed, 'go\n');
  run = goalId(await hostile.exited);
}, 600_000);
afterAll(async () => {
  await env?.cleanup();
});

describe('an unsandboxed agent that forges a whole goal in the state root', () => {
  it('the run names the forged goal, the lock naming its own omk and the goal its agent planned by running omk, not the goals a second omk planned and ran, and is not ready', async () => {
    const proof = await env.proof(run);
    expect(proof.status).not.toBe('ready');
    const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
    const during = `while the agent of ${SLICES.bug} ran`;
    expect(gaps).toHaveLength(3);
    expect(gaps).toEqual(
      expect.arrayContaining([
        `goal ${forged} (made by no omk process; omk set it aside) in omk's state root was added ${during}, outside this goal. Nothing this run made can be trusted; look at that file before using it.`,
        expect.stringMatching(new RegExp(`^goal ${earlier} \\.lock in omk's state root was added ${during}`)),
        expect.stringMatching(
          new RegExp(
            `^goal add-a-changelog-[0-9a-f]{6} \\(made by no omk process; omk set it aside\\) in omk's state root was added ${during}`,
          ),
        ),
      ]),
    );
    expect(gaps.join('\n')).not.toContain(planned);
    expect(gaps.join('\n')).not.toContain(second);
    expect((await env.proof(second)).status).toBe('ready');
    console.log(
      'ALL',
      JSON.stringify(
        proof.knownGaps.map((g) => g.message),
        null,
        1,
      ),
    );
    expect((await env.goal(planned)).status).toBe('planned');
    expect(
      proof.findings.some((f) => f.severity === 'blocking' && f.message.includes(`goal ${forged}`)),
    ).toBe(true);
  });

  it('with no id, `omk goal status` and `omk goal proof` take the goal the second omk ran last, never the forged one', async () => {
    const status = await env.omk('goal', 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { id: string }).id).toBe(second);
    const proof = await env.omk('goal', 'proof', '--json');
    expect((JSON.parse(proof.stdout) as { goalId: string }).goalId).toBe(second);
    const list = await env.omk('goal', 'list', '--json');
    expect(list.stdout).not.toContain(forged);
  });

  it('by its id, the forged goal is refused with what to do: status, proof and merge', async () => {
    for (const verb of ['status', 'proof', 'merge']) {
      const result = await env.omk('goal', verb, forged);
      expect(result.code, verb).not.toBe(0);
      expect(result.stderr, verb).toContain(`Goal ${forged} is set aside`);
      expect(result.stderr, verb).toContain('no omk process made it');
      expect(result.stderr, verb).toContain('untrusted.json');
    }
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
    const record = await readFile(join(env.goalDir(forged), 'goal.json'), 'utf8');
    expect(record).not.toContain('"status": "merged"');
  });

  it("`omk goal merge` with no id takes the second omk's goal, says the forged one is skipped, merges nothing", async () => {
    const merge = await env.omk('goal', 'merge', '--json');
    expect(merge.code).not.toBe(0);
    expect(merge.stderr).toContain(`Goal ${second} has no integrator PR yet.`);
    expect(merge.stderr).toContain(
      `skipping ${forged}: it appeared in omk's state root while an agent or gates of goal ${run} ran`,
    );
    expect(merge.stdout).not.toMatch(/"merged":\s*true/);
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
  });
});
