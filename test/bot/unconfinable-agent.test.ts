import { existsSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { refusedBwrapBin } from '../helpers/refused-bwrap.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

// The bot's operator runs a script agent (OMK_BOT_AGENT) under OMK_SANDBOX=auto on a host whose
// bubblewrap cannot make namespaces: `/omk goal run` starts no agent (unconfined, it could read the
// app's credentials and files by their paths). The goal's status comment says it was not started
// and names the ways out in a comment's words (the app's setting, not a CLI flag); no PR is opened.
// The refusal comes before the goal is planned, as the CLI's and the Action's do: no goal is saved
// on the state branch (a resume of it would only be refused again). omk's own demo agent, on the
// same host, still runs.

const commentId = 7_700_101;
const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
let dir: string;
let agent: string;
let marker: string;
let env: BotEnv;

beforeAll(async () => {
  // A bwrap whose namespaces are refused: the probe finds it and sees it fail.
  dir = await refusedBwrapBin();
  marker = join(dir, 'agent-ran');
  agent = join(dir, 'agent.sh');
  await writeFile(
    agent,
    `#!/bin/sh\ntouch '${marker}'\nsed -i 's/return a - b;/return a + b;/' src/math.js\n`,
  );
  await chmod(agent, 0o755);
  env = await startBotEnv({
    mode: 'local',
    env: {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      OMK_BOT_AGENT: `script:${agent}`,
      OMK_SANDBOX: 'auto',
    },
  });
  await env.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr`, { commentId });
  await env.bot.idle();
}, 120_000);
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/omk goal run with a script agent, OMK_SANDBOX=auto, a host that cannot confine (local mode)', () => {
  it("says on the goal's status that the agent was not started, and the ways out in a comment's words", () => {
    const status = env.statusComments().find((c) => readStatusMarker(c.body)?.goalId === goalId)?.body ?? '';
    expect(status).toContain(
      `- Stopped by an error: This host cannot confine agents (bwrap cannot create namespaces: bwrap: setting up uid map: Permission denied), and under sandbox: auto omk runs no agent's code unconfined but its own demo's: script:${agent} was not started.\n`,
    );
    // The whole hint, to its last way out (a status once cut it at 300 characters, mid-way):
    // the host's fix, then the app's setting, in a comment's markdown.
    expect(status).toContain(
      "- What to do: allow unprivileged user namespaces (sysctl kernel.unprivileged\\_userns\\_clone=1; on Ubuntu 24.04 also kernel.apparmor\\_restrict\\_unprivileged\\_userns=0), or run where bwrap works; or, to declare the agents trusted, run them unconfined: set OMK\\_SANDBOX=off in the app's environment (or, where it sets none, \\`sandbox: off\\` in .omk/config.yml), then '/omk goal run \"&lt;goal&gt;\"'.\n",
    );
    // A comment's reader has no command line: no CLI flag anywhere in the thread.
    for (const comment of env.thread()) expect(comment.body).not.toContain('--sandbox');
  });

  it('never ran the agent, opened no PR, pushed no branch of the goal', async () => {
    expect(existsSync(marker)).toBe(false);
    expect(env.server.state.pulls.size).toBe(0);
    expect(git(env.repo.origin, 'branch', '--list', `omk/${goalId}/*`)).toBe('');
    expect(await leftovers(env)).toEqual([]);
  });

  it('refused before planning: no goal on the state branch, and the status names none', () => {
    const status = env.statusComments().find((c) => readStatusMarker(c.body)?.goalId === goalId)?.body ?? '';
    expect(status).not.toContain('planned');
    expect(env.stateGoals()).toEqual([]);
  });
});

describe('/omk goal run with the demo agent, OMK_SANDBOX=auto, a host that cannot confine (local mode)', () => {
  const demoCommentId = 7_700_102;
  const demoGoalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${demoCommentId}`));
  let demoDir: string;
  let demoEnv: BotEnv;

  beforeAll(async () => {
    demoDir = await refusedBwrapBin();
    demoEnv = await startBotEnv({
      mode: 'local',
      env: { PATH: `${demoDir}:${process.env.PATH ?? ''}`, OMK_BOT_AGENT: 'demo', OMK_SANDBOX: 'auto' },
    });
    await demoEnv.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr`, { commentId: demoCommentId });
    await demoEnv.bot.idle();
  }, 120_000);
  afterAll(async () => {
    await demoEnv?.close();
    await rm(demoDir, { recursive: true, force: true });
  });

  it("runs omk's own demo agent all the same: the goal is planned, saved, executed and its PRs opened", async () => {
    expect(demoEnv.stateGoals()).toEqual([demoGoalId]);
    expect(demoEnv.readGoal(demoGoalId).status).toBe('ready');
    const status =
      demoEnv.statusComments().find((c) => readStatusMarker(c.body)?.goalId === demoGoalId)?.body ?? '';
    expect(status).not.toContain('was not started');
    // Two slices' PRs and the integration's.
    expect(demoEnv.server.state.pulls.size).toBe(3);
    expect(await leftovers(demoEnv)).toEqual([]);
  });
});
