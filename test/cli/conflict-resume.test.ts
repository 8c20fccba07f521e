import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixTheParser, GOALS, SLICES, showAt, TODO_FIXTURE, useExecutionEnv } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

const env = useExecutionEnv(TODO_FIXTURE);

/** Runs one command omk printed ('git ...'), as a user would in their checkout; its exit code. */
function runPrinted(command: string, cwd: string): number {
  try {
    // The commit of a merge opens an editor on its message; the user keeps it as it is.
    execFileSync('sh', ['-c', command], {
      cwd,
      stdio: 'ignore',
      env: { ...process.env, GIT_EDITOR: 'true' },
    });
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? 1;
  }
}

describe('a goal whose slices conflict, resolved by hand as omk says', () => {
  it('resume (not until ready) merges again and the goal is ready', async () => {
    const agent = await env.kit.script(
      'conflicting',
      `
if (task === '${SLICES.readme}') write('README.md', '# fixture: documented\\n');
else if (task === '${SLICES.parserSecond}') write('README.md', '# fixture: fast parser\\n');
${fixTheParser}`,
    );
    // Planned with the agent: the goal records it, for its resume.
    const id = await env.plan(GOALS.parallel, '--agent', agent);
    // Both slices may edit the README (ordered by nothing): their merge conflicts.
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) =>
        task.id === SLICES.parserSecond ? { ...task, writes: [...task.writes, 'README.md'] } : task,
      ),
    }));
    const run = await env.omk('goal', 'execute', id);
    expect(run.stdout).toMatch(/not_ready\s+proof NOT_READY/);
    const gap = run.stdout.split('\n').find((line) => line.startsWith('gap integration_conflict: '));
    expect(gap, run.stdout).toBeDefined();
    // The message says what conflicted once, then what to do.
    const second = `omk/${id}/${SLICES.parserSecond}`;
    expect(gap).toContain(`Merging ${second} into omk/${id}/integration conflicts in 1 path(s): README.md.`);
    expect(gap?.match(/Merging /g)).toHaveLength(1);
    expect(gap).toContain(`resume the goal ('omk goal resume ${id}')`);

    // Its git commands, run in the user's checkout in the order given; the conflicted file is
    // fixed by hand between the merge (which stops on the conflict) and 'git add'.
    const commands = [...(gap ?? '').matchAll(/'(git [^']+)'/g)].map((match) => match[1] ?? '');
    expect(commands).toEqual([
      `git switch omk/${id}/integration`,
      `git merge ${second}`,
      'git add',
      'git commit',
      'git switch -',
    ]);
    for (const command of commands) {
      if (command === 'git add') {
        await writeFile(join(env.repo.root, 'README.md'), '# fixture: documented, fast parser\n');
        expect(runPrinted('git add README.md', env.repo.root)).toBe(0);
        continue;
      }
      const code = runPrinted(command, env.repo.root);
      expect(code, command).toBe(command.startsWith('git merge') ? 1 : 0);
    }
    expect(git(env.repo.root, 'branch', '--show-current')).toBe('main');

    const resumed = await env.omk('goal', 'resume', id);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('integrated 2 slice(s)');
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const branch = `omk/${id}/integration`;
    expect(proof.git.headSha).toBe(git(env.repo.root, 'rev-parse', branch));
    expect(showAt(env.repo, branch, 'README.md')).toBe('# fixture: documented, fast parser\n');
    // The slice branches are as omk reviewed them: the resolution is on the integration branch.
    expect(showAt(env.repo, second, 'README.md')).toBe('# fixture: fast parser\n');
    expect((await env.goal(id)).status).toBe('ready');
  }, 120_000);
});
