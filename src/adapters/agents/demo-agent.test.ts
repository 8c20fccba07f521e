import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRunInput } from '../../runtime/agents/port.js';
import { applyMarkers, createDemoAgent } from './demo-agent.js';

let root: string;
let cwd: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-demo-'));
  cwd = join(root, 'repo');
  await mkdir(join(cwd, 'src', 'lib'), { recursive: true });
  await mkdir(join(cwd, 'other'));
  await mkdir(join(cwd, '.git'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function input(writes: string[]): AgentRunInput {
  return {
    goalId: 'g1',
    taskId: 'fix-add',
    attempt: 2,
    task: {
      id: 'fix-add',
      title: 'Fix add',
      description: '',
      ownerRole: 'engineer',
      reads: ['.'],
      writes,
      acceptance: [],
    },
    prompt: 'ignored by the demo agent',
    cwd,
    timeoutMs: 10_000,
    artifactsDir: join(root, 'artifacts'),
  };
}

const ADD = [
  'export function add(a, b) {',
  '  // omk-demo-fix: return a + b;',
  '  return a - b;',
  '}',
  '// omk-demo-append: export const answer = 42;',
  '',
].join('\n');
const OUTSIDE = '# omk-demo-fix: fixed\nbroken\n';

async function fixture() {
  await writeFile(join(cwd, 'src', 'lib', 'add.js'), ADD);
  await writeFile(join(cwd, 'src', 'plain.js'), 'no markers here\n');
  await writeFile(join(cwd, 'other', 'notes.md'), OUTSIDE);
  await writeFile(join(cwd, '.git', 'config'), OUTSIDE);
}

describe('demo agent', () => {
  it('applies markers inside the write set and leaves everything else alone', async () => {
    await fixture();
    const agent = createDemoAgent();
    expect(agent.name).toBe('demo');
    expect(agent.label).toMatch(/not a real AI/);
    const result = await agent.run(input(['src']));
    expect(result).toMatchObject({
      outcome: 'succeeded',
      exitCode: 0,
      usage: { tokens: 0, usd: 0 },
      followUps: [],
      summary: 'applied 2 demo edits in 1 file',
    });
    expect(await readFile(join(cwd, 'src', 'lib', 'add.js'), 'utf8')).toBe(
      'export function add(a, b) {\n  return a + b;\n}\nexport const answer = 42;\n',
    );
    expect(await readFile(join(cwd, 'other', 'notes.md'), 'utf8')).toBe(OUTSIDE);
    expect(await readFile(join(cwd, '.git', 'config'), 'utf8')).toBe(OUTSIDE);
    expect(result.transcript).toBe(join(root, 'artifacts', 'transcript-2.log'));
    const transcript = await readFile(result.transcript, 'utf8');
    expect(transcript).toContain('fix src/lib/add.js:2 -> return a + b;');
    expect(transcript).toContain('append src/lib/add.js:5 -> export const answer = 42;');
    expect(transcript).toContain('skipped other/notes.md');
    expect(transcript).not.toContain('.git');
  });

  it('"." covers the whole repository except .git', async () => {
    await fixture();
    const result = await createDemoAgent().run(input(['.']));
    expect(result.summary).toBe('applied 3 demo edits in 2 files');
    expect(await readFile(join(cwd, 'other', 'notes.md'), 'utf8')).toBe('fixed\n');
    expect(await readFile(join(cwd, '.git', 'config'), 'utf8')).toBe(OUTSIDE);
  });

  it('a single file in the write set is enough', async () => {
    await fixture();
    const result = await createDemoAgent().run(input(['other/notes.md']));
    expect(result.summary).toBe('applied 1 demo edit in 1 file');
    expect(await readFile(join(cwd, 'src', 'lib', 'add.js'), 'utf8')).toBe(ADD);
  });

  it('succeeds with no edits when no marker is in scope', async () => {
    await fixture();
    const result = await createDemoAgent().run(input(['docs']));
    expect(result).toMatchObject({ outcome: 'succeeded', summary: 'no demo markers in scope' });
    expect(await readFile(join(cwd, 'src', 'lib', 'add.js'), 'utf8')).toBe(ADD);
  });

  it('is deterministic: a second run finds nothing left to do', async () => {
    await fixture();
    await createDemoAgent().run(input(['src']));
    const again = await createDemoAgent().run(input(['src']));
    expect(again.summary).toBe('no demo markers in scope');
  });

  it('does nothing when cancelled before it starts', async () => {
    await fixture();
    const result = await createDemoAgent().run({ ...input(['.']), signal: AbortSignal.abort() });
    expect(result.outcome).toBe('cancelled');
    expect(await readFile(join(cwd, 'src', 'lib', 'add.js'), 'utf8')).toBe(ADD);
  });
});

describe('applyMarkers', () => {
  it('keeps CRLF line endings and a missing final newline', () => {
    const out = applyMarkers('a\r\n// omk-demo-fix: b\r\nx\r\nc', 'f');
    expect(out.content).toBe('a\r\nb\r\nc');
  });

  it('removes a fix marker on the last line without inventing a line', () => {
    expect(applyMarkers('a\n# omk-demo-fix: b\n', 'f').content).toBe('a\n');
  });

  it('appends in marker order, on new lines', () => {
    const out = applyMarkers('x\n<!-- omk-demo-append: one -->\ny\n/* omk-demo-append: two */', 'f');
    expect(out.content).toBe('x\ny\none\ntwo\n');
    expect(out.edits.map((e) => e.line)).toEqual([2, 4]);
  });

  it('returns the content untouched without markers', () => {
    expect(applyMarkers('same\n', 'f')).toEqual({ content: 'same\n', edits: [] });
  });
});
