import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { runningWithArgv } from '../helpers/agents.js';
import { waitFor } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { REVIEW_FIX_AGENT } from '../helpers/review-fix-agent.js';
import { ATTEMPT, OUTSIDE_ATTEMPTS, outsideAttempts, REFUSED } from '../helpers/sandbox-escapes.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

/**
 * The bot's local runs under bubblewrap (OMK_SANDBOX=required): a hostile agent does the demo's
 * work and then tries a hook in the shared .git, a file outside any checkout, the credential store
 * under HOME, the writes of `outsideAttempts` (the bot's `~/.gitconfig` by path, hard links from its
 * HOME and the state root, its goal's state files, the checkout's branch and files) and a `setsid`
 * process that would patch the worktree after the agent ended. Each
 * write fails inside the agent; the `setsid` process is ended when the sandbox closes, and the
 * proof names it (a blocking finding), so the goal is not ready. Where bubblewrap cannot run
 * here the goal is refused before it exists, and the test says so.
 */
describe('a hostile agent through the bot under the sandbox (local mode)', () => {
  let env: BotEnv;
  let dir: string;
  let host: SandboxAvailability;
  const commentId = 7_700_001;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const outside = () => join(dir, 'escaped');
  const GITCONFIG = '[user]\n\tname = bot\n';

  beforeAll(async () => {
    host = await createBubblewrap({ env: { PATH: process.env.PATH } }).probe();
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-sandboxed-'));
    await writeFile(join(dir, 'work.mjs'), REVIEW_FIX_AGENT);
    await chmod(join(dir, 'work.mjs'), 0o755);
    const agent = join(dir, 'agent.sh');
    const attempt = (what: string, command: string) =>
      `if ( ${command} ) 2>/dev/null; then echo "ESCAPED ${what}"; else echo "blocked ${what}"; fi`;
    env = await startBotEnv({
      mode: 'local',
      env: { OMK_BOT_AGENT: `script:${agent}`, OMK_SANDBOX: 'required' },
    });
    // Written once the bot's HOME (its work directory) is known; read when the agent runs.
    await writeFile(
      agent,
      [
        '#!/bin/sh',
        `node ${join(dir, 'work.mjs')} || exit 1`,
        ATTEMPT,
        ...outsideAttempts(env.workDir),
        'common=$(git rev-parse --git-common-dir)',
        attempt(
          'hook',
          `printf '#!/bin/sh\\ntouch ${join(dir, 'hook-ran')}\\n' > "$common/hooks/post-commit"`,
        ),
        attempt('outside', `touch ${outside()}`),
        // The bot's HOME by its path: the agent's own HOME holds no such file at all.
        attempt('credentials', `grep -q secret "${join(env.workDir, '.git-credentials')}"`),
        // Would break the fix after omk's commit, were it still running then.
        `setsid sh -c 'sleep 2; echo "export const late = 1;" >> "${'$'}PWD/src/math.js"; touch ${join(dir, 'late')}' &`,
        // Until its `sleep 2` runs (the shell past its fork and exec), however loaded the machine;
        // the sandbox's pid namespace holds no other `sleep 2`.
        "for i in $(seq 400); do pgrep -xf 'sleep 2' > /dev/null && break; sleep 0.05; done",
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    await writeFile(join(env.workDir, '.git-credentials'), 'https://x:secret@github.com\n');
    await writeFile(join(env.workDir, '.gitconfig'), GITCONFIG);
    await writeFile(join(env.workDir, '.bashrc'), 'export PROFILE_SECRET=1\n');
    await env.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr`, { commentId });
    await env.bot.idle();
    // Until the setsid shell is gone (seen from here, outside the sandbox's pid namespace): ended
    // when the sandbox closed, or, had it outlived the agent, after it acted.
    await waitFor(
      'the setsid shell to be gone',
      async () => (await runningWithArgv(join(dir, 'late'))).length === 0,
      10_000,
    );
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails every escape inside the agent; nothing outside changed; the proof names the process the sandbox ended and says sandboxed', () => {
    const status = env.statusComments().find((c) => readStatusMarker(c.body)?.goalId === goalId)?.body ?? '';
    if (!host.available || !host.network.isolated) {
      console.warn(
        `bot sandbox test not exercised: bubblewrap cannot confine here (${JSON.stringify(host)})`,
      );
      expect(env.stateGoals()).not.toContain(goalId);
      expect(status).toMatch(/sandbox: required/);
      return;
    }
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const files = git(
      env.repo.origin,
      'ls-tree',
      '-r',
      '--name-only',
      'refs/heads/omk/state',
      `goals/${goalId}`,
    );
    const transcripts = files
      .split('\n')
      .filter((path) => /agent-runs\/s1-[^/]+\/transcript-1\.log$/.test(path));
    expect(transcripts).toHaveLength(1);
    const transcript = git(env.repo.origin, 'show', `refs/heads/omk/state:${transcripts[0]}`);
    for (const what of ['hook', 'outside', 'credentials']) expect(transcript).toContain(`blocked ${what}`);
    // Each refused by the sandbox (a read-only mount, a link across mounts), not by some other failure.
    for (const name of OUTSIDE_ATTEMPTS) {
      expect(transcript).toMatch(new RegExp(`^blocked ${name}: .*(${REFUSED.source})`, 'm'));
    }
    expect(transcript).not.toContain('ESCAPED');
    expect(readFileSync(join(env.workDir, '.gitconfig'), 'utf8')).toBe(GITCONFIG);
    expect(existsSync(join(env.repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(existsSync(outside())).toBe(false);
    expect(existsSync(join(dir, 'hook-ran'))).toBe(false);
    expect(existsSync(join(dir, 'late'))).toBe(false);
    const proof = JSON.parse(
      git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`),
    ) as {
      status: string;
      knownGaps: { code: string }[];
      findings: { severity: string; message: string }[];
      decisions: { kind: string; decision: string; reason: string }[];
    };
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    // The `setsid` shell and its `sleep 2`: each a process the sandbox ended, and nothing else blocks.
    expect(blocking.length).toBeGreaterThan(0);
    for (const message of blocking) {
      expect(message).toMatch(
        /^The agent left process \d+ \(".*sleep 2.*"\) running (in the worktree )?in its sandbox after it ended; it was ended when the sandbox closed\./,
      );
    }
    expect(proof.status).not.toBe('ready');
    // Its goal's state files are omk's: no check found them written.
    expect(proof.knownGaps.map((gap) => gap.code)).not.toContain('state_tampered');
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: 'sandboxed' }),
    );
    // Not ready, so nothing was delivered: no branch of the goal reached the origin.
    expect(git(env.repo.origin, 'branch', '--list', `omk/${goalId}/*`)).toBe('');
    env.server.assertClean();
  });

  it('leaves no checkout behind', async () => {
    expect(await leftovers(env)).toEqual([]);
  });
});
