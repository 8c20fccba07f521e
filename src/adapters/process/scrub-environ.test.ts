import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environBounds, scrubStartEnvironment } from './scrub-environ.js';

const SECRET = 'ghs_scrubCanary0123456789abcdef';
const KEPT = 'ghs_keptCanary0123456789abcdef';
const GONE = 'ghs_goneCanary0123456789abcdef';

// A node process started with the secrets, which scrubs its own block (deleting one variable
// first, as the Action deletes its token inputs), reports, and waits for the test to read its
// /proc/<pid>/environ from outside, as an agent of the same user would.
const CHILD = `
import { execFileSync } from 'node:child_process';
import { scrubStartEnvironment } from './scrub-environ.mjs';
delete process.env['INPUT_GONE-TOKEN'];
const result = scrubStartEnvironment((name) => /TOKEN/.test(name));
const child = execFileSync('sh', ['-c', 'printf %s "$KEPT_TOKEN"'], { encoding: 'utf8' });
process.stdout.write(JSON.stringify({ result, env: process.env, child }) + '\\n');
process.stdin.resume();
`;

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-scrub-environ-'));
  const source = await readFile(fileURLToPath(new URL('./scrub-environ.ts', import.meta.url)), 'utf8');
  await writeFile(
    join(dir, 'scrub-environ.mjs'),
    transformSync(source, { loader: 'ts', format: 'esm' }).code,
  );
  await writeFile(join(dir, 'child.mjs'), CHILD);
});
afterAll(async () => {
  for (const child of children) child.kill();
  await rm(dir, { recursive: true, force: true });
});

interface Report {
  result: ReturnType<typeof scrubStartEnvironment>;
  env: Record<string, string>;
  child: string;
}

async function startChild(): Promise<{ pid: number; report: Report }> {
  const child = spawn(process.execPath, [join(dir, 'child.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      BEFORE: 'plain',
      'INPUT_SECRET-TOKEN': SECRET,
      KEPT_TOKEN: KEPT,
      'INPUT_GONE-TOKEN': GONE,
      AFTER: 'plain too',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (child.pid === undefined) throw new Error('the child did not start');
  return { pid: child.pid, report: JSON.parse(line.toString('utf8')) as Report };
}

describe.runIf(process.platform === 'linux')('scrubStartEnvironment in a node process', () => {
  it('leaves no secret value in /proc/<pid>/environ, the block keeping its layout', async () => {
    const { pid, report } = await startChild();
    expect(report.result).toEqual({
      scrubbed: true,
      names: ['INPUT_SECRET-TOKEN', 'KEPT_TOKEN', 'INPUT_GONE-TOKEN'],
    });
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    for (const value of [SECRET, KEPT, GONE]) expect(environ).not.toContain(value);
    expect(environ.split('\0')).toEqual([
      `PATH=${process.env.PATH ?? ''}`,
      'BEFORE=plain',
      `INPUT_SECRET-TOKEN=${'*'.repeat(SECRET.length)}`,
      `KEPT_TOKEN=${'*'.repeat(KEPT.length)}`,
      `INPUT_GONE-TOKEN=${'*'.repeat(GONE.length)}`,
      'AFTER=plain too',
      '',
    ]);
  });

  it('keeps process.env as it was: a variable still set reads its value, in children too', async () => {
    const { report } = await startChild();
    expect(report.env['INPUT_SECRET-TOKEN']).toBe(SECRET);
    expect(report.env.KEPT_TOKEN).toBe(KEPT);
    expect(report.env['INPUT_GONE-TOKEN']).toBeUndefined();
    expect(report.env.AFTER).toBe('plain too');
    expect(report.child).toBe(KEPT);
  });
});

describe('scrubStartEnvironment where it cannot scrub', () => {
  it('reports another platform and the variables left readable, and changes nothing', () => {
    const before = { ...process.env };
    expect(scrubStartEnvironment((name) => name === 'PATH', { platform: 'darwin' })).toEqual({
      scrubbed: false,
      problem: 'only Linux is supported (this is darwin)',
      names: ['PATH'],
    });
    expect(process.env).toEqual(before);
  });

  it('reports a /proc it cannot read instead of throwing', () => {
    const result = scrubStartEnvironment((name) => name === 'PATH', {
      platform: 'linux',
      proc: join(tmpdir(), 'omk-no-such-proc'),
    });
    expect(result).toMatchObject({ scrubbed: false, names: ['PATH'] });
    expect(result.scrubbed ? '' : result.problem).toContain('ENOENT');
  });
});

describe('scrubStartEnvironment in a worker thread', () => {
  it('refuses: a worker sets variables in a copy, so the block would still be in use', async () => {
    // Set after this process started: in its heap, not in its block, whatever the worker does.
    process.env.OMK_SCRUB_WORKER_TOKEN = SECRET;
    await writeFile(
      join(dir, 'worker.mjs'),
      `import { parentPort } from 'node:worker_threads';
      import { scrubStartEnvironment } from './scrub-environ.mjs';
      parentPort.postMessage(scrubStartEnvironment((name) => name === 'OMK_SCRUB_WORKER_TOKEN', { platform: 'linux' }));`,
    );
    const worker = new Worker(join(dir, 'worker.mjs'));
    const [result] = await once(worker, 'message');
    await worker.terminate();
    delete process.env.OMK_SCRUB_WORKER_TOKEN;
    expect(result).toEqual({
      scrubbed: false,
      problem: 'only the main thread can scrub it',
      names: ['OMK_SCRUB_WORKER_TOKEN'],
    });
  });
});

describe('environBounds', () => {
  it('reads fields 50 and 51, counted after the last parenthesis of the command name', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
    rest[50 - 3] = '140737488347000';
    rest[51 - 3] = '140737488348000';
    expect(environBounds(`123 (a) b (c) ${rest.join(' ')}\n`)).toEqual([140737488347000, 140737488348000]);
  });

  it('refuses a stat without them', () => {
    expect(() => environBounds('1 (init) S 0 1')).toThrow(/no environment bounds/);
  });
});
