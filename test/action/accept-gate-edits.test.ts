import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG } from './harness.js';

// A goal the workflow created to change its test script (allow-gate-edits) waits for a person:
// the merge step refuses it naming the gap, an accept step started by someone who may not write
// (or by a bot) changes nothing, and an accept step a writer starts records them on the state
// branch, shows it on the integrator PR and its omk/proof check run, and the gated merge takes it.

const GOAL =
  'fix the failing test in src/math.js and give the test script in package.json a 60 second test timeout';
const BASE_SCRIPT = 'node --test test/';
const NEW_SCRIPT = 'node --test --test-timeout=60000 test/';
const WRITER = 'octo-dev';
const READER = 'octo-reader';

const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
const edit = (path, from, to) => writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
edit('src/math.js', 'return a - b;', 'return a + b;');
edit('package.json', ${JSON.stringify(`"${BASE_SCRIPT}"`)}, ${JSON.stringify(`"${NEW_SCRIPT}"`)});
`;

let env: ActionEnv;
let goalId = '';
const stateHead = () => git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state');
const stateFile = (name: string) =>
  git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/${name}`);
const mainScript = () =>
  (JSON.parse(git(env.repo.origin, 'show', 'main:package.json')) as { scripts: { test: string } }).scripts
    .test;
const integrator = () => {
  const pull = [...env.server.state.pulls.values()].find((p) => p.head === `omk/${goalId}/integration`);
  if (!pull) throw new Error('no integrator PR');
  return pull;
};
const step = (inputs: Record<string, string>, actor = WRITER) =>
  env.run({ 'goal-id': goalId, ...inputs }, { GITHUB_ACTOR: actor });

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG, executables: { 'agent.mjs': AGENT } });
  env.server.setPermission(WRITER, 'write');
  env.server.setPermission(READER, 'read');
  const run = await env.run(
    {
      goal: GOAL,
      agent: 'script:./agent.mjs',
      'llm-planner': 'false',
      'allow-gate-edits': 'true',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      'fail-on-not-ready': 'false',
    },
    { GITHUB_RUN_ID: '7311' },
  );
  expect(run.code, run.stdout.slice(-3000)).toBe(0);
  goalId = run.outputs['goal-id'] ?? '';
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('command: accept', () => {
  it('leaves the goal blocked_on_human, and the merge step refuses it naming the gap', async () => {
    expect((JSON.parse(stateFile('proof.json')) as Proof).status).toBe('blocked_on_human');
    const merge = await step({ command: 'merge' });
    expect(merge.code).not.toBe(0);
    expect(merge.stdout).toContain(
      'the proof is blocked_on_human on gate_definition_edited: a person must review it and accept the goal first',
    );
    expect(integrator().merged).toBe(false);
  }, 60_000);

  it('refuses a reader and a bot before anything changes, saying why', async () => {
    const before = stateHead();
    const reader = await step({ command: 'accept', summary: 'looks fine' }, READER);
    expect(reader.code).not.toBe(0);
    expect(reader.stdout).toContain(
      `command: accept refused: ${READER}, who started this job, has read permission on the repository; accepting a goal needs write, maintain or admin. Nothing was changed.`,
    );
    const bot = await step({ command: 'accept', summary: 'looks fine' }, 'renovate[bot]');
    expect(bot.code).not.toBe(0);
    expect(bot.stdout).toContain(
      "renovate[bot], who started this job, is a bot: an acceptance is a person's",
    );
    expect(stateHead()).toBe(before);
    expect(integrator().merged).toBe(false);
  }, 60_000);

  it("records a writer's acceptance on the state branch, shows it on the PR and its check run, and merges", async () => {
    const accept = await step({ command: 'accept', summary: 'read the new test script: it runs every test' });
    expect(accept.code, accept.stdout.slice(-3000)).toBe(0);
    expect(accept.stdout).toContain(`blocked_on_human -> accepted, accepted by ${WRITER}.`);
    const proof = JSON.parse(stateFile('proof.json')) as Proof;
    expect(proof.delivery.acceptance).toMatchObject({
      by: WRITER,
      text: 'read the new test script: it runs every test',
    });
    expect(proof.delivery.merge).not.toBeNull();
    expect(JSON.parse(stateFile('goal.json'))).toMatchObject({ status: 'merged' });
    const pull = integrator();
    expect(pull.merged).toBe(true);
    expect(pull.body).toContain(`**Accepted** by ${WRITER} at `);
    const run = env.server.state.checkRuns
      .filter((r) => r.name === 'omk/proof' && r.headSha === pull.headSha)
      .at(-1);
    expect(run?.summary).toContain(`accepted by ${WRITER}`);
    expect(mainScript()).toBe(NEW_SCRIPT);
  }, 90_000);

  it('refuses to accept a goal that is no longer waiting (here merged), saying why: nothing changes', async () => {
    const before = stateHead();
    const again = await step({ command: 'accept', summary: 'again' });
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain(`Cannot accept goal ${goalId}: it is merged.`);
    expect(stateHead()).toBe(before);
  }, 60_000);
});
