import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// An agent that prints 30 MB used to leave a 30 MB transcript. A real `omk goal run` with the
// default limits (8 MiB a log) keeps its head and tail and records the cut.

const MB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe("an agent's 30 MB of output", () => {
  it('becomes a transcript of at most the default limit, head and tail kept, the cut recorded', async () => {
    const repo = await createTempRepo({
      'src/math.js': 'export const add = (a, b) => a - b;\n',
      'test/math.test.js': 'import { add } from "../src/math.js";\nif (add(1, 2) !== 3) process.exit(1);\n',
      'package.json': '{"type":"module","scripts":{"test":"node test/math.test.js"}}\n',
    });
    const state = await tempStateDir();
    cleanups.push(repo.cleanup, state.cleanup);
    const agent = join(state.dir, 'loud.mjs');
    // Asked to plan, it says nothing (the heuristic plans); a slice prints 30 MB, then fixes the bug.
    await writeFile(
      agent,
      `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID !== 'plan') {
  const line = 'x'.repeat(1023) + '\\n';
  process.stdout.write('AGENT START\\n');
  for (let i = 0; i < 30 * 1024; i += 1) process.stdout.write(line);
  writeFileSync('src/math.js', readFileSync('src/math.js', 'utf8').replace('a - b', 'a + b'));
  process.stdout.write('AGENT SUMMARY\\n');
}
`,
    );
    await chmod(agent, 0o755);
    const run = await runOmk(
      ['goal', 'run', 'fix the failing test in src/math.js', '--agent', `script:${agent}`, '--json'],
      { cwd: repo.root, stateDir: state.dir, env: { OMK_SANDBOX: 'off' } },
    );
    expect(run.code, run.stderr).toBe(0);
    const goalId = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const runs = join(state.dir, 'goals', goalId, 'artifacts', 'agent-runs');
    const slices = (await readdir(runs)).filter((name) => name !== 'plan');
    expect(slices).toHaveLength(1);
    const transcript = join(runs, slices[0] ?? '', 'transcript-1.log');
    const size = (await stat(transcript)).size;
    expect(size).toBeGreaterThan(MB);
    expect(size).toBeLessThanOrEqual(8 * MB + 4096);
    const text = await readFile(transcript, 'utf8');
    expect(text.slice(0, 4096)).toContain('AGENT START');
    expect(text.slice(-4096)).toContain('AGENT SUMMARY');
    expect(text).toContain('bytes of output cut here');
  }, 90_000);
});
