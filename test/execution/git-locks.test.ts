import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import { eventsOfType, GOALS, SLICES, useExecutionEnv } from '../helpers/execution.js';

const env = useExecutionEnv();

describe('an agent that leaves a git lock file in its workspace', () => {
  it('has it removed once the agent is gone, so its work is captured, and the event names the path', async () => {
    const id = await env.plan(GOALS.single);
    // Does its work, then dies the way a killed `git add` would: index.lock left behind.
    const agent = await env.kit.script(
      'leaves-lock',
      `import { execFileSync } from 'node:child_process';
${touchWrites}
const gitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { encoding: 'utf8' }).trim();
write(gitDir + '/index.lock', '');
log('locked', { path: gitDir + '/index.lock' });`,
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent);
    const calls = await env.kit.calls();
    const locked = calls.find((call) => call.event === 'locked');
    expect(typeof locked?.path).toBe('string');
    const lockPath = String(locked?.path);
    // The lock was in omk's worktree of the slice, not in the user's checkout.
    expect(lockPath.startsWith(join(env.repo.root, '.git', 'worktrees'))).toBe(true);
    expect(existsSync(lockPath)).toBe(false);
    const recovered = eventsOfType(await env.events(id), 'lock_recovered');
    expect(recovered.map((event) => event.data.paths)).toEqual([[lockPath]]);
    expect(String(recovered[0]?.data.why)).toContain(SLICES.bug);
    const graph = await env.graph(id);
    expect(graph.tasks.map((task) => task.status)).toEqual(['done']);
    expect(result.stderr).not.toContain('index.lock');
  }, 60_000);
});
