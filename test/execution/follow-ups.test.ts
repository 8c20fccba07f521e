import { describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  eventsOfType,
  expectContiguous,
  fixTheParser,
  GOALS,
  SLICES,
  showAt,
  useExecutionEnv,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

// The parser slice fixes the fixture's committed failing test: a fix goal needs one.
const env = useExecutionEnv(BUGGY_FIXTURE);

/** The README slice proposes four follow-ups on its first run; every run then marks its write set. */
const proposingAgent = `
if (task === ${JSON.stringify(SLICES.readme)} && attempt === 1) {
  write('.omk/follow-ups.json', JSON.stringify([
    { id: 'fu-outside', title: 'Write outside the repository', writes: ['../outside'] },
    { id: 'fu-git-config', title: 'Edit the git config', writes: ['.git/config'] },
    { id: 'fu-parser', title: 'Also change the parser', writes: ['src/parser.js'] },
    { id: 'fu-notes', title: 'Write release notes', writes: ['docs/notes.md'] },
  ]));
}
${touchWrites}
${fixTheParser}
`;

describe('follow-ups proposed by an agent', () => {
  it('rejects unsafe, protected and conflicting proposals with reasons, and runs the valid one', async () => {
    const agent = await env.kit.script('proposer', proposingAgent);
    const result = await env.omk('goal', 'run', GOALS.parallel, '--agent', agent, '--json');
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = goal.id;

    const events = await env.events(id);
    expectContiguous(events);
    const rejected = eventsOfType(events, 'followup_rejected').map((e) => e.data);
    expect(rejected).toEqual([
      {
        taskId: 'fu-outside',
        code: 'unsafe_path',
        reason: expect.stringMatching(/\.\./),
        proposedBy: SLICES.readme,
      },
      {
        taskId: 'fu-git-config',
        code: 'unsafe_path',
        reason: expect.stringContaining('.git directory'),
        proposedBy: SLICES.readme,
      },
      {
        taskId: 'fu-parser',
        code: 'conflict',
        reason: expect.stringContaining(SLICES.parserSecond),
        proposedBy: SLICES.readme,
      },
    ]);
    expect(eventsOfType(events, 'followup_accepted').map((e) => e.data)).toEqual([
      { taskId: 'fu-notes', proposedBy: SLICES.readme },
    ]);

    // The accepted follow-up depends on its proposer by default and ran after it.
    const graph = await env.graph(id);
    const readme = graph.tasks.find((task) => task.id === SLICES.readme);
    const notes = graph.tasks.find((task) => task.id === 'fu-notes');
    expect(notes).toMatchObject({
      dependsOn: [SLICES.readme],
      writes: ['docs/notes.md'],
      status: 'done',
      attempts: 1,
      maxRetries: 1,
    });
    // Its budget is the proposer's (the command agent's placeholder), not something the agent chose.
    expect(notes?.budget).toEqual(readme?.budget);
    expect(graph.tasks.map((task) => task.id)).not.toContain('fu-outside');
    const runs = await env.kit.runs();
    expect(runs.map((run) => run.task).sort()).toEqual(
      [SLICES.readme, SLICES.parserSecond, 'fu-notes'].sort(),
    );
    const proposer = runs.find((run) => run.task === SLICES.readme);
    const follower = runs.find((run) => run.task === 'fu-notes');
    expect(follower?.start).toBeGreaterThanOrEqual(proposer?.end ?? Number.POSITIVE_INFINITY);

    // The proposals file never lands in a commit; the follow-up's work reaches the integration.
    const prefix = `omk/${id}`;
    expect(showAt(env.repo, `${prefix}/${SLICES.readme}`, '.omk/follow-ups.json')).toBeNull();
    const integration = git(env.repo.root, 'rev-parse', `${prefix}/integration`);
    expect(showAt(env.repo, integration, 'docs/notes.md')).toContain('touched by fu-notes');
    expect(showAt(env.repo, integration, 'src/parser.js')).toContain(`touched by ${SLICES.parserSecond}`);

    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.slices.map((slice) => [slice.id, slice.status])).toEqual([
      [SLICES.readme, 'done'],
      [SLICES.parserSecond, 'done'],
      ['fu-notes', 'done'],
    ]);
  });
});
