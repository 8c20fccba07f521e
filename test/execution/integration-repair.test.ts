import { describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/agents.js';
import {
  eventsOfType,
  expectContiguous,
  fixTheParser,
  GOALS,
  SLICES,
  showAt,
  TODO_FIXTURE,
  useExecutionEnv,
  waitFor,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

const README_TODO = 'TODO: document the parser\\n';

/** The two slices: each adds one TODO, in its own file; the parser's also fixes the parser. */
const slices = `
if (task === '${SLICES.readme}') append('README.md', '${README_TODO}');
else if (task === '${SLICES.parserSecond}') append('src/parser.js', '// TODO: make it faster\\n');
${fixTheParser}
`;
/**
 * The integration fixer logs its prompt and what README.md holds, then turns the README's TODO
 * into prose (\`fix\`), or adds a line that changes nothing about the TODOs.
 */
function fixer(fix: boolean): string {
  const edit = fix
    ? `write('README.md', read('README.md').replace('${README_TODO}', 'The parser keeps text as it is.\\n'));`
    : `append('README.md', 'More notes.\\n');`;
  return `${slices}
if (task === 'integration') {
  log('prompt', { prompt: readFileSync(0, 'utf8'), readme: read('README.md') });
  ${edit}
}`;
}

const env = useExecutionEnv(TODO_FIXTURE);

async function runsOf(task: string): Promise<number> {
  return (await env.kit.runs()).filter((run) => run.task === task).length;
}

describe('two slices that pass alone but break a shared test together', () => {
  it('with --until-ready: an integration-fix task repairs the merged tree and the goal is ready', async () => {
    const agent = await env.kit.script('todo-fixer', fixer(true));
    const result = await env.omk('goal', 'run', GOALS.parallel, '--agent', agent, '--until-ready', '--json');
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps.concat(proof.failures as never))).toBe('ready');
    expect(await runsOf(SLICES.readme)).toBe(1);
    expect(await runsOf(SLICES.parserSecond)).toBe(1);
    expect(await runsOf('integration')).toBe(1);
    expect(proof.agentRuns.filter((run) => run.taskId === 'integration')).toEqual([
      expect.objectContaining({ taskId: 'integration', attempt: 1, outcome: 'succeeded' }),
    ]);
    expect(result.stderr).toContain('[integration]');
    expect(result.stderr).toContain('repaired on attempt 1');

    // The integration branch carries the fix commit on top of the two merges, and the proof is about it.
    const branch = `omk/${id}/integration`;
    expect(git(env.repo.root, 'log', '-1', '--format=%s', branch)).toBe(`omk(${id}): integration repair 1`);
    expect(proof.git.headSha).toBe(git(env.repo.root, 'rev-parse', branch));
    expect(showAt(env.repo, branch, 'README.md')).toContain('The parser keeps text as it is.');
    expect(showAt(env.repo, branch, 'src/parser.js')).toContain('TODO: make it faster');

    // The fixer was told what failed, which slices were merged and what they changed.
    const prompt = String((await env.kit.calls()).find((call) => call.event === 'prompt')?.prompt);
    expect(prompt).toMatch(/^# Integration fix \(attempt 1\)/);
    expect(prompt).toMatch(/gate test failed \(exit \d+\):/);
    expect(prompt).toContain('2 TODOs in the project');
    expect(prompt).toContain(`- ${SLICES.readme} (\`omk/${id}/${SLICES.readme}\`): README.md`);
    expect(prompt).toContain(
      `- ${SLICES.parserSecond} (\`omk/${id}/${SLICES.parserSecond}\`): src/parser.js`,
    );

    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'integration_repair_started').map((e) => e.data)).toEqual([
      expect.objectContaining({ attempt: 1, round: 1, of: 3, why: 'gates', merged: expect.any(Array) }),
    ]);
    expect(eventsOfType(events, 'integration_repair_finished').map((e) => e.data)).toEqual([
      { attempt: 1, outcome: 'repaired', headSha: proof.git.headSha },
    ]);
    // The repair was charged to the budget.
    const budget = await import('node:fs/promises').then((fs) =>
      fs.readFile(`${env.goalDir(id)}/budget.jsonl`, 'utf8'),
    );
    expect(budget).toContain('integration repair attempt 1');
  });

  it('an integration fixer that never fixes: exactly the allowed attempts, then the goal is not ready', async () => {
    const id = await env.plan(GOALS.parallel);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, maxRetries: 1 })),
    }));
    const agent = await env.kit.script('todo-no-fixer', fixer(false));
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(10);
    expect(await runsOf('integration')).toBe(2);
    expect(result.stderr).toContain('[integration] not repaired after 2 attempt(s)');
    const proof = await env.proof(id);
    expect(proof.status).toBe('failed');
    expect(proof.failures).toEqual([expect.objectContaining({ code: 'gate_failed' })]);
    expect(proof.agentRuns.filter((run) => run.taskId === 'integration').map((run) => run.attempt)).toEqual([
      1, 2,
    ]);
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'integration_repair_finished').map((e) => e.data.outcome)).toEqual([
      'not_repaired',
      'not_repaired',
    ]);
    // The second attempt started where the first did, its diff kept, and was told what still failed.
    expect(
      eventsOfType(events, 'slice_reset')
        .filter((e) => e.data.taskId === 'integration')
        .map((e) => e.data),
    ).toEqual([
      {
        taskId: 'integration',
        attempt: 1,
        from: expect.any(String),
        to: expect.any(String),
        diff: 'artifacts/attempts/integration/repair-1.diff',
      },
    ]);
    const [first, second] = (await env.kit.calls()).filter((call) => call.event === 'prompt');
    expect(String(second?.readme)).toBe(String(first?.readme));
    expect(String(second?.prompt)).toContain('## The previous repair attempt did not hold');
    expect(String(second?.prompt)).toMatch(/gate test failed \(exit \d+\):[\s\S]*2 TODOs in the project/);
    expect(String(second?.prompt)).toMatch(/artifacts\/attempts\/integration\/repair-1\.diff/);
    // Only the last attempt's commit is on the integration branch, as a slice keeps its last.
    const branch = `omk/${id}/integration`;
    expect(git(env.repo.root, 'log', '-1', '--format=%s', branch)).toBe(`omk(${id}): integration repair 2`);
    expect(git(env.repo.root, 'log', '--format=%s', branch)).not.toContain('integration repair 1');
  });

  it('without --until-ready no integration-fix task runs', async () => {
    const agent = await env.kit.script('todo-fixer', fixer(true));
    const result = await env.omk('goal', 'run', GOALS.parallel, '--agent', agent, '--json');
    // Only --until-ready turns a proof that is not ready into exit 10.
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    expect(await runsOf('integration')).toBe(0);
    expect((await env.proof(id)).status).toBe('failed');
  });
});

describe('two slices whose merge conflicts', () => {
  it('with --until-ready: the fixer resolves the conflict left in the integration worktree; ready', async () => {
    const id = await env.plan(GOALS.parallel);
    // Both slices may edit the README (ordered by nothing): their merge conflicts.
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) =>
        task.id === SLICES.parserSecond ? { ...task, writes: [...task.writes, 'README.md'] } : task,
      ),
    }));
    const agent = await env.kit.script(
      'conflict-fixer',
      `
if (task === '${SLICES.readme}') write('README.md', '# fixture: documented\\n');
else if (task === '${SLICES.parserSecond}') write('README.md', '# fixture: fast parser\\n');
else if (task === 'integration') {
  log('prompt', { prompt: readFileSync(0, 'utf8'), readme: read('README.md') });
  write('README.md', '# fixture: documented, fast parser\\n');
}
${fixTheParser}`,
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(0);
    expect((await env.proof(id)).status).toBe('ready');
    expect(await runsOf('integration')).toBe(1);
    const call = (await env.kit.calls()).find((c) => c.event === 'prompt');
    // The merge was left in progress with its markers for the fixer.
    expect(String(call?.readme)).toContain('<<<<<<<');
    expect(String(call?.prompt)).toContain('## A merge is in progress');
    expect(String(call?.prompt)).toContain('- README.md');
    const branch = `omk/${id}/integration`;
    expect(showAt(env.repo, branch, 'README.md')).toBe('# fixture: documented, fast parser\n');
    // The fix is the merge commit of the conflicting slice: both slices are in the branch.
    for (const slice of [SLICES.readme, SLICES.parserSecond]) {
      expect(git(env.repo.root, 'merge-base', '--is-ancestor', `omk/${id}/${slice}`, branch)).toBe('');
    }
    const events = await env.events(id);
    expect(eventsOfType(events, 'integration_conflict')).toHaveLength(1);
    expect(eventsOfType(events, 'integration_repair_started').map((e) => e.data.why)).toEqual(['conflict']);
    expect((await env.proof(id)).knownGaps).toEqual([]);
  });
});

describe('a controller killed while the integration fixer runs', () => {
  it('is taken over: the orphaned fixer is stopped, its uncommitted edit is undone, the repair runs again', async () => {
    // The first fixer writes the fix and then hangs: had omk verified the worktree as it was left,
    // the merged tree would pass with an edit no commit holds.
    const fixThenHang = `write('README.md', read('README.md').replace('${README_TODO}', 'The parser keeps text as it is.\\n'));
if (runsSoFar('integration') === 1) { log('fixed'); await sleep(60_000); }`;
    const agent = await env.kit.script(
      'todo-fixer-hangs',
      `${slices}\nif (task === 'integration') { ${fixThenHang} }`,
    );
    const run = env.spawnOmk('goal', 'run', GOALS.parallel, '--agent', agent, '--until-ready');
    const fixed = await waitFor(
      'the first fixer to write its fix',
      async () => (await env.kit.calls()).find((call) => call.event === 'fixed'),
      60_000,
    );
    run.child.kill('SIGKILL');
    await run.exited;
    expect(isAlive(fixed.pid)).toBe(true);
    const status = await env.omk('goal', 'status', '--json');
    const id = (JSON.parse(status.stdout) as { id: string }).id;

    const resumed = await env.omk('goal', 'resume', '--auto', '--agent', agent);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(isAlive(fixed.pid)).toBe(false);
    expect(await runsOf('integration')).toBe(2);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    const branch = `omk/${id}/integration`;
    // Like a slice's, the attempt the dead controller lost is not counted.
    expect(git(env.repo.root, 'log', '-1', '--format=%s', branch)).toBe(`omk(${id}): integration repair 1`);
    expect(proof.agentRuns.filter((r) => r.taskId === 'integration').map((r) => r.attempt)).toEqual([1]);
    expect(proof.git.headSha).toBe(git(env.repo.root, 'rev-parse', branch));
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'worker_dead').map((e) => e.data)).toEqual([
      {
        taskId: 'integration',
        previousController: run.child.pid,
        orphanAgent: fixed.pid,
        orphanStopped: true,
      },
    ]);
    expect(
      eventsOfType(events, 'slice_reset')
        .filter((e) => e.data.taskId === 'integration')
        .map((e) => e.data.diff),
    ).toEqual(['artifacts/attempts/integration/repair-1-interrupted.diff']);
  }, 120_000);
});
