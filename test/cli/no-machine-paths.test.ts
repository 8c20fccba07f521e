import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentKit, createAgentKit, touchWrites } from '../helpers/agents.js';
import { BUGGY_FIXTURE, fixTheParser, GOALS } from '../helpers/execution.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// An optional gate that fails and prints where it ran: its tail is evidence with a worktree path.
const CONFIG = [
  'version: 1',
  'gates:',
  '  list:',
  '    - name: where',
  '      kind: custom',
  '      required: false',
  '      run: ["node", "-e", "console.log(\'ran in \' + process.cwd() + \'/src/parser.js\'); process.exit(1)"]',
  '',
].join('\n');

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
let kit: AgentKit;
let tempRoot: string;

beforeEach(async () => {
  repo = await createTempRepo({ ...BUGGY_FIXTURE, '.omk/config.yml': CONFIG });
  state = await tempStateDir();
  kit = await createAgentKit();
  tempRoot = await mkdtemp(join(tmpdir(), 'omk-tmpdir-'));
});
afterEach(async () => {
  await Promise.all([
    repo.cleanup(),
    state.cleanup(),
    kit.cleanup(),
    rm(tempRoot, { recursive: true, force: true }),
  ]);
});

/** The hidden proof block of a PR body, decoded. */
function hiddenProof(body: string): string {
  const encoded = /<!-- omk:proof v1 ([A-Za-z0-9_-]+) -->/.exec(body)?.[1];
  expect(encoded, 'the PR body carries the full proof block').toBeDefined();
  return Buffer.from(encoded ?? '', 'base64url').toString('utf8');
}

describe('proof.json, PR bodies and events.jsonl name no directory of the machine', () => {
  it('after a goal with PRs: no state root, $HOME, temp root, worktree or agent script path', async () => {
    const agent = await kit.script('touch', `${touchWrites}\n${fixTheParser}`);
    const run = await runOmk(
      ['goal', 'run', GOALS.chain, '--agent', agent, '--policy', 'draft-pr', '--json'],
      { cwd: repo.root, stateDir: state.dir, env: { TMPDIR: tempRoot } },
    );
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;

    const proofText = await readFile(join(state.dir, 'goals', id, 'proof.json'), 'utf8');
    const [forgeKey] = await readdir(join(state.dir, 'forge'));
    const forge = JSON.parse(
      await readFile(join(state.dir, 'forge', forgeKey ?? '', 'forge.json'), 'utf8'),
    ) as { pulls: { body: string }[] };
    expect(forge.pulls).toHaveLength(3);
    const bodies = forge.pulls.map((pull) => pull.body);
    // The local forge names its pull requests by the repository's path; that is the forge's
    // address for them (like a github.com URL), not evidence, so it is the one path allowed.
    const texts = [proofText, ...bodies, ...bodies.map(hiddenProof)].map((text) =>
      text.replace(/local:\/\/[^\s"'`)]+/g, 'local://<repository>'),
    );
    // events.jsonl too: it is the goal's history, read by whoever the goal directory is shown to.
    texts.push(
      (await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8')).replace(
        /local:\/\/[^\s"'`)]+/g,
        'local://<repository>',
      ),
    );
    const created = JSON.parse(texts.at(-1)?.split('\n')[0] ?? '{}') as {
      type: string;
      data: { repo: string; options: { agent: string } };
    };
    expect(created).toMatchObject({
      type: 'goal_created',
      data: { repo: basename(repo.root), options: { agent: 'script:touch.mjs' } },
    });
    const machine = [state.dir, tempRoot, kit.dir, repo.root, tmpdir()];
    for (const text of texts) {
      for (const path of machine) expect(text.split('\n').filter((line) => line.includes(path))).toEqual([]);
    }

    const proof = JSON.parse(proofText) as {
      status: string;
      gates: { name: string; artifact: string | null; tail: string }[];
      agentRuns: { agent: string; transcript: string | null }[];
    };
    expect(proof.status).toBe('ready');
    expect(proof.gates.map((gate) => gate.artifact)).toEqual([
      expect.stringMatching(/^artifacts\/gates\/[0-9a-f]{12}-test\.log$/),
      expect.stringMatching(/^artifacts\/gates\/[0-9a-f]{12}-where\.log$/),
    ]);
    expect(proof.gates.find((gate) => gate.name === 'where')?.tail).toContain('ran in src/parser.js');
    expect(proof.agentRuns.map((agentRun) => agentRun.agent)).toEqual([
      'script:touch.mjs',
      'script:touch.mjs',
    ]);
    expect(proof.agentRuns.map((agentRun) => agentRun.transcript)).toEqual([
      expect.stringMatching(/^artifacts\/agent-runs\/s1-[^/]+\/transcript-1\.log$/),
      expect.stringMatching(/^artifacts\/agent-runs\/s2-[^/]+\/transcript-1\.log$/),
    ]);
    // The goal directory still holds the files the relative names point to.
    for (const gate of proof.gates) {
      await expect(readFile(join(state.dir, 'goals', id, gate.artifact ?? ''), 'utf8')).resolves.toBeTypeOf(
        'string',
      );
    }
  });
});
