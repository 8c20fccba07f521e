import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, fixTheParser, GOALS, useExecutionEnv } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { goalDirShellAgent, STATE_WRITE_FINDINGS } from '../helpers/state-writer-agent.js';

// A goal that means to change its CI workflow declares it when it is created: the slice may write
// the workflow, the proof waits for a person, and nothing holding the change is pushed (a push
// runs it in CI with the repository's secrets) until that person accepts the goal; then merge
// pushes it, opens its PR and merges it. Without the intent the change blocks as before and the
// remedy names the way; an agent that declares it itself gains nothing.

const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
const NEW_WORKFLOW = BASE_WORKFLOW.replace('node-version: 20', 'node-version: 22');

const env = useExecutionEnv({ ...BUGGY_FIXTURE, [WORKFLOW]: BASE_WORKFLOW });

/** An agent that fixes the parser and moves the CI workflow to Node 22, as the goal asks. */
function workflowChanger(): Promise<string> {
  return env.kit.script(
    'workflow-changer',
    `write(${JSON.stringify(WORKFLOW)}, read(${JSON.stringify(WORKFLOW)}).replace('node-version: 20', 'node-version: 22'));
${fixTheParser}`,
  );
}

/** Plans the goal with `flags`, its slice allowed to write the workflow (the goal's own change). */
async function planned(agent: string, ...flags: string[]): Promise<string> {
  const id = await env.plan(GOALS.single, '--agent', agent, ...flags);
  await env.editGraph(id, (graph) => ({
    ...graph,
    tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, WORKFLOW] })),
  }));
  return id;
}

const mainWorkflow = () => `${git(env.repo.root, 'show', `main:${WORKFLOW}`).trimEnd()}\n`;

/** The PRs the local forge holds (none before the first delivery). */
async function forgePulls(): Promise<{ head: string; body: string }[]> {
  const dir = join(env.stateDir, 'forge');
  const [key] = await readdir(dir).catch(() => [] as string[]);
  if (key === undefined) return [];
  const forge = JSON.parse(await readFile(join(dir, key, 'forge.json'), 'utf8')) as {
    pulls: { head: string; body: string }[];
  };
  return forge.pulls;
}

describe('a goal that means to change its CI workflow', () => {
  it('declared at creation: the slice is done, nothing is pushed until a person accepts, then merge delivers it', async () => {
    const agent = await workflowChanger();
    const id = await planned(
      agent,
      '--allow-workflow-edits',
      '--policy',
      'auto-pr',
      '--merge-policy',
      'gated',
    );
    expect((await env.goal(id)).options.allowWorkflowEdits).toBe(true);

    const run = await env.omk('goal', 'execute', id);
    expect(run.stdout).toMatch(/^ {2}done {5}s1-/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^gap workflow_edited: A person must read the change to the CI workflows before it is pushed, .*: \\.github/workflows/ci\\.yml \\(in slice s1-\\S+\\)\\. Once a person has read it, they accept the goal with 'omk goal accept ${id} --summary "…"'; then 'omk goal merge ${id}' pushes it`,
        'm',
      ),
    );
    expect(run.stderr).toMatch(
      /kept omk\/\S+ on this machine, not pushed: its head changes the CI workflows, .* it waits for a person to read the change and accept the goal \(\.github\/workflows\/ci\.yml\)/,
    );
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    // Nothing was pushed: no PR opened, main unchanged.
    expect(await forgePulls()).toEqual([]);
    expect(mainWorkflow()).toBe(BASE_WORKFLOW);
    const status = await env.omk('goal', 'status', id);
    expect(status.stdout).toMatch(/^kept {4}omk\/\S+, not pushed: its head changes the CI workflows/m);

    // Merging before a person accepted it is refused, and pushes nothing.
    const early = await env.omk('goal', 'merge', id);
    expect(early.code).not.toBe(0);
    expect(await forgePulls()).toEqual([]);

    const accept = await env.omk(
      'goal',
      'accept',
      id,
      '--summary',
      'read the workflow: it only moves to Node 22',
    );
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stdout).toContain('blocked_on_human -> accepted');
    const merge = await env.omk('goal', 'merge', id);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toMatch(/^merged PR #\d+ as [0-9a-f]{40}$/m);
    expect((await forgePulls()).length).toBeGreaterThan(0);
    expect((await env.goal(id)).status).toBe('merged');
    expect(mainWorkflow()).toBe(NEW_WORKFLOW);
    expect(git(env.repo.root, 'show', 'main:src/parser.js')).toContain('text.trim()');
  }, 120_000);

  it('not declared: the change blocks the slice, is never pushed, and the remedy says how to declare it', async () => {
    const id = await planned(await workflowChanger(), '--policy', 'auto-pr', '--merge-policy', 'gated');
    const run = await env.omk('goal', 'execute', id);
    expect(run.stderr).toMatch(
      /review found blocking problems: .*Protected path changed: "\.github\/workflows\/ci\.yml"/,
    );
    expect(run.stdout).toMatch(
      /^gap blocking_finding: Blocking security review finding in slice s1-\S+: Workflow change in "\.github\/workflows\/ci\.yml": .* If the goal means to change its CI workflows, start it again declaring so: 'omk goal run "<goal>" --allow-workflow-edits'\.$/m,
    );
    expect((await env.proof(id)).status).not.toBe('blocked_on_human');
    await env.omk('goal', 'accept', id, '--summary', 'looks fine');
    await env.omk('goal', 'merge', id);
    expect(await forgePulls()).toEqual([]);
    expect(mainWorkflow()).toBe(BASE_WORKFLOW);
  }, 120_000);

  it('a review fix may not change a workflow even so: it is pushed at once, before anyone read it', async () => {
    const agent = await env.kit.script(
      'fix-workflow-changer',
      `if (task.startsWith('fix-')) write(${JSON.stringify(WORKFLOW)}, read(${JSON.stringify(WORKFLOW)}).replace('node-version: 20', 'node-version: 22'));
else {${fixTheParser}}`,
    );
    const id = await planned(agent, '--allow-workflow-edits', '--policy', 'auto-pr');
    const run = await env.omk('goal', 'execute', id);
    expect(run.code, run.stderr).toBe(0);
    expect((await env.proof(id)).status).toBe('ready');
    const integrator = (await forgePulls()).findIndex((pull) => pull.head === `omk/${id}/integration`) + 1;
    expect(integrator).toBeGreaterThan(0);
    const branch = `omk/${id}/integration`;
    const before = git(env.repo.root, 'rev-parse', branch);
    const fixed = await env.omk('goal', 'fix', id, '--pr', String(integrator), 'use Node 22 in CI');
    expect(fixed.stderr).toMatch(
      /its change is not applied to PR #\d+: .*Workflow change in "\.github\/workflows\/ci\.yml"/,
    );
    expect(git(env.repo.root, 'rev-parse', branch)).toBe(before);
  }, 120_000);

  it('an agent that declares the intent itself (goal.json unsandboxed) gains nothing', async () => {
    const agent = await goalDirShellAgent(
      env,
      'self-granter',
      [
        `sed -i 's|node-version: 20|node-version: 22|' ${WORKFLOW}`,
        `node -e 'const fs = require("node:fs"); const p = process.argv[1]; const g = JSON.parse(fs.readFileSync(p, "utf8")); g.options.allowWorkflowEdits = true; fs.writeFileSync(p, JSON.stringify(g, null, 2));' "$goal/goal.json"`,
      ].join('\n'),
    );
    const id = await planned(agent, '--policy', 'auto-pr', '--merge-policy', 'gated');
    const run = await env.omk('goal', 'execute', id, '--sandbox', 'off');
    expect(run.stderr).toMatch(
      /review found blocking problems: .*Protected path changed: "\.github\/workflows\/ci\.yml"/,
    );
    const proof = await env.proof(id);
    // Its goal.json write landed, and was caught; the run went on with the goal as created.
    expect(proof.findings.map((finding) => finding.message).join('\n')).toMatch(
      STATE_WRITE_FINDINGS['goal.json'],
    );
    expect(proof.knownGaps.map((gap) => gap.code)).not.toContain('workflow_edited');
    expect(proof.status).not.toBe('ready');
    expect(proof.status).not.toBe('blocked_on_human');
    await env.omk('goal', 'accept', id, '--summary', 'looks fine');
    await env.omk('goal', 'merge', id);
    expect(await forgePulls()).toEqual([]);
    expect(mainWorkflow()).toBe(BASE_WORKFLOW);
  }, 120_000);
});
