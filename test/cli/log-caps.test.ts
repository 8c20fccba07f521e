import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// `logs.maxBytes` in .omk/config.yml bounds every agent transcript, gate log and install/setup log
// of a goal: an agent, a gate and a `workspace.setup` command that print 200 KB each leave logs of
// about the limit, head and tail kept, the cut recorded in the file.

const LIMIT = 4096;
const NOISE = 200_000;
let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  repo = await createTempRepo({
    '.omk/config.yml': [
      'version: 1',
      'logs:',
      `  maxBytes: ${LIMIT}`,
      'gates:',
      '  detect: false',
      '  list:',
      '    - name: noisy',
      '      kind: test',
      `      run: [node, -e, "process.stdout.write('START' + 'g'.repeat(${NOISE}) + 'END')"]`,
      'workspace:',
      '  setup:',
      `    - [node, -e, "process.stdout.write('SETUP' + 's'.repeat(${NOISE}) + 'DONE')"]`,
      '',
    ].join('\n'),
    'src/app.js': 'export const app = 1;\n',
  });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

async function logsUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.log')).map((name) => join(dir, name));
}

describe('logs.maxBytes', () => {
  it('bounds agent transcripts, gate logs and setup logs, keeping head and tail and recording the cut', async () => {
    const agent = join(state.dir, 'noisy-agent.mjs');
    await writeFile(
      agent,
      `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
process.stdout.write('BEGIN' + 'a'.repeat(${NOISE}) + 'FINISH\\n');
for (const path of JSON.parse(process.env.OMK_WRITES ?? '[]')) appendFileSync(path, '// touched\\n');
`,
    );
    await chmod(agent, 0o755);
    const run = await runOmk(
      ['goal', 'run', 'refactor src/app.js', '--agent', `script:${agent}`, '--no-llm-planner', '--json'],
      { cwd: repo.root, stateDir: state.dir },
    );
    const { goal } = JSON.parse(run.stdout) as { goal: { id: string } };
    const dir = join(state.dir, 'goals', goal.id, 'artifacts');
    const transcripts = (await logsUnder(join(dir, 'agent-runs'))).filter((p) => !p.endsWith('gates.log'));
    const gateLogs = await logsUnder(join(dir, 'gates'));
    expect(transcripts.length, run.stderr).toBeGreaterThan(0);
    expect(gateLogs.length, run.stderr).toBeGreaterThan(0);
    const noisyTranscript = [];
    for (const path of transcripts) {
      const text = await readFile(path, 'utf8');
      if (!text.includes('BEGIN')) continue;
      noisyTranscript.push(path);
      expect(text).toContain('FINISH');
      expect(text).toMatch(
        /bytes of output cut here; the process printed \d+ bytes, over the 4096-byte limit/,
      );
      expect((await stat(path)).size).toBeLessThan(LIMIT + 1024);
    }
    expect(noisyTranscript.length).toBeGreaterThan(0);
    const noisyGate = [];
    for (const path of gateLogs) {
      const text = await readFile(path, 'utf8');
      if (!text.includes('START')) continue;
      noisyGate.push(path);
      expect(text).toContain('END');
      expect(text).toMatch(/over the 4096-byte limit/);
      // Each run appends its own bounded block (a header, at most the limit, the cut line).
      const runs = text.split('=== omk gate').length - 1;
      expect((await stat(path)).size).toBeLessThan(runs * (LIMIT + 1024));
    }
    expect(noisyGate.length).toBeGreaterThan(0);
    // Without OMK_LOG_MAX_BYTES, only the config can have bounded the setup command's log.
    const setupLogs = await logsUnder(join(dir, 'prepare'));
    expect(setupLogs.length, run.stderr).toBeGreaterThan(0);
    for (const path of setupLogs) {
      const text = await readFile(path, 'utf8');
      expect(text).toContain('SETUP');
      expect(text).toContain('DONE');
      expect(text).toMatch(/over the 4096-byte limit/);
      const runs = text.split('=== omk setup').length - 1;
      expect(runs).toBeGreaterThan(0);
      expect((await stat(path)).size).toBeLessThan(runs * (LIMIT + 1024));
    }
  }, 120_000);
});
