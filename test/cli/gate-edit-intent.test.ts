import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, fixTheParser, GOALS, useExecutionEnv } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { goalDirShellAgent, STATE_WRITE_FINDINGS } from '../helpers/state-writer-agent.js';

// A goal that means to change how its tests run (here its test script) declares it when it is
// created: the slice is done, the proof waits for a person, whose accept then merge deliver it.
// Without the intent the change blocks as before, and the remedy names the way; an agent that
// declares it itself gains nothing.

const BASE_SCRIPT = 'node --test test/';
const NEW_SCRIPT = 'node --test --test-timeout=60000 test/';
const TEST_SCRIPT_FINDING =
  /The change edits "package\.json scripts\.test", which decides what the "test" gate ran/;

const env = useExecutionEnv(BUGGY_FIXTURE);

/** An agent that fixes the parser and changes the test script, as the goal asks. */
function scriptChanger(): Promise<string> {
  return env.kit.script(
    'test-script-changer',
    `write('package.json', read('package.json').replace(${JSON.stringify(`"${BASE_SCRIPT}"`)}, ${JSON.stringify(`"${NEW_SCRIPT}"`)}));
${fixTheParser}`,
  );
}

/** Plans the goal with `flags`, its slice allowed to write package.json (the goal's own change). */
async function planned(agent: string, ...flags: string[]): Promise<string> {
  const id = await env.plan(GOALS.single, '--agent', agent, ...flags);
  await env.editGraph(id, (graph) => ({
    ...graph,
    tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, 'package.json'] })),
  }));
  return id;
}

const mainScript = () =>
  (JSON.parse(git(env.repo.root, 'show', 'main:package.json')) as { scripts: { test: string } }).scripts.test;

/** The PR bodies the local forge holds. */
async function prBodies(): Promise<string[]> {
  const [key] = await readdir(join(env.stateDir, 'forge'));
  const forge = JSON.parse(await readFile(join(env.stateDir, 'forge', key ?? '', 'forge.json'), 'utf8')) as {
    pulls: { body: string }[];
  };
  return forge.pulls.map((pull) => pull.body);
}

describe('a goal that means to change its test script', () => {
  it('declared at creation: the slice is done, the goal waits for a person, accept then merge delivers it', async () => {
    const agent = await scriptChanger();
    const id = await planned(agent, '--allow-gate-edits', '--policy', 'auto-pr', '--merge-policy', 'gated');
    expect((await env.goal(id)).options.allowGateEdits).toBe(true);

    const run = await env.omk('goal', 'execute', id);
    expect(run.stdout).toMatch(/^ {2}done {5}s1-/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^gap gate_definition_edited: A person must review a gate's new definition in slice s1-\\S+: ${TEST_SCRIPT_FINDING.source}.* \\(package\\.json\\) Once a person has checked it, they accept the goal and merge it with 'omk goal merge ${id}'\\.$`,
        'm',
      ),
    );
    // The gated merge ran and refused: nobody has accepted it yet.
    expect(run.stderr).toContain('merge blocked by proof_not_ready (PR #2): the proof is blocked_on_human');
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['gate_definition_edited']);
    // The PRs the policy opened tell the reviewer what to check.
    const bodies = await prBodies();
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body).toMatch(TEST_SCRIPT_FINDING);
    expect(mainScript()).toBe(BASE_SCRIPT);

    // Merging before a person accepted it is refused.
    const early = await env.omk('goal', 'merge', id);
    expect(early.code).not.toBe(0);
    expect(mainScript()).toBe(BASE_SCRIPT);

    const accept = await env.omk(
      'goal',
      'accept',
      id,
      '--summary',
      'read the new test script: it runs every test',
    );
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stdout).toContain('blocked_on_human -> accepted');
    const merge = await env.omk('goal', 'merge', id);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toMatch(/^merged PR #2 as [0-9a-f]{40}$/m);
    expect((await env.goal(id)).status).toBe('merged');
    expect(mainScript()).toBe(NEW_SCRIPT);
    expect(git(env.repo.root, 'show', 'main:src/parser.js')).toContain('text.trim()');
  }, 120_000);

  it('not declared: the change blocks the slice, and the remedy says how to declare it', async () => {
    const id = await planned(await scriptChanger(), '--policy', 'auto-pr', '--merge-policy', 'gated');
    const run = await env.omk('goal', 'execute', id);
    expect(run.stderr).toMatch(
      new RegExp(
        `attempt 1 failed; .*review found blocking problems: \\[controller review\\] ${TEST_SCRIPT_FINDING.source}`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `^gap blocking_finding: Blocking controller review finding in slice s1-\\S+: ${TEST_SCRIPT_FINDING.source}.* If the goal means to change how its tests run, start it again declaring so: 'omk goal run "<goal>" --allow-gate-edits'\\.$`,
        'm',
      ),
    );
    expect((await env.proof(id)).status).not.toBe('blocked_on_human');
    expect(mainScript()).toBe(BASE_SCRIPT);
  }, 120_000);

  it('an agent that declares the intent itself (a config in its worktree, goal.json unsandboxed) gains nothing', async () => {
    const agent = await goalDirShellAgent(
      env,
      'self-granter',
      [
        `sed -i 's|"${BASE_SCRIPT}"|"${NEW_SCRIPT}"|' package.json`,
        'mkdir -p .omk',
        "printf 'allowGateEdits: true\\nallow-gate-edits: true\\n' > .omk/config.yml",
        `node -e 'const fs = require("node:fs"); const p = process.argv[1]; const g = JSON.parse(fs.readFileSync(p, "utf8")); g.options.allowGateEdits = true; fs.writeFileSync(p, JSON.stringify(g, null, 2));' "$goal/goal.json"`,
      ].join('\n'),
    );
    const id = await planned(agent, '--policy', 'auto-pr', '--merge-policy', 'gated');
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, '.omk/config.yml'] })),
    }));
    const run = await env.omk('goal', 'execute', id, '--sandbox', 'off');
    expect(run.stderr).toMatch(new RegExp(`review found blocking problems: .*${TEST_SCRIPT_FINDING.source}`));
    const proof = await env.proof(id);
    // Its goal.json write landed, and was caught; the run went on with the goal as created.
    expect(proof.findings.map((finding) => finding.message).join('\n')).toMatch(
      STATE_WRITE_FINDINGS['goal.json'],
    );
    expect(proof.knownGaps.map((gap) => gap.code)).not.toContain('gate_definition_edited');
    expect(proof.status).not.toBe('ready');
    expect(proof.status).not.toBe('blocked_on_human');
    // Nothing it wrote lets a person's accept merge it.
    await env.omk('goal', 'accept', id, '--summary', 'looks fine');
    await env.omk('goal', 'merge', id);
    expect(mainScript()).toBe(BASE_SCRIPT);
  }, 120_000);
});
