import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import type { StateFiles } from './port.js';
import { StateWitness } from './witness.js';

let dir: string;
let goal: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-witness-'));
  goal = join(dir, 'goals', 'g1');
  await localStateFiles.makeDirs(goal);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (seq: number, type: string) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: {} })}\n`;

async function watched(files: StateFiles = localStateFiles): Promise<StateWitness> {
  const witness = new StateWitness(files);
  await witness.watch({
    owned: [join(goal, 'execution.json')],
    logs: [join(goal, 'events.jsonl')],
  });
  return witness;
}

describe('the event log', () => {
  it("takes its own appends and other omk processes' lifecycle lines", async () => {
    const log = join(goal, 'events.jsonl');
    await writeFile(log, event(1, 'goal_created'));
    const witness = await watched();
    await witness.appendLines(log, event(2, 'task_leased') + event(3, 'agent_started'));
    // `omk goal pause` from another process.
    await appendFile(log, event(4, 'goal_paused') + event(5, 'proof_built'));
    await witness.appendLines(log, event(6, 'agent_finished'));
    expect(await witness.verify(goal)).toEqual([]);
  });

  it('names a line of a type only the controller writes that it did not append', async () => {
    const log = join(goal, 'events.jsonl');
    const witness = await watched();
    await witness.appendLines(log, event(1, 'task_leased'));
    await appendFile(log, event(2, 'gates_verified'));
    expect(await witness.verify(goal)).toEqual([
      expect.objectContaining({
        file: 'events.jsonl',
        what: 'given a line omk did not write (type `gates_verified`)',
        restored: false,
      }),
    ]);
    // Said once: the next check starts from what it saw.
    expect(await witness.verify(goal)).toEqual([]);
  });

  it('names a log whose seen lines were rewritten, even when the rewrite is consistent', async () => {
    const log = join(goal, 'events.jsonl');
    await writeFile(log, event(1, 'goal_created') + event(2, 'gates_required'));
    const witness = await watched();
    await writeFile(log, event(1, 'goal_created'));
    expect((await witness.verify(goal)).map((t) => t.what)).toEqual([
      'rewritten: lines omk had seen were changed or removed',
    ]);
  });
});

describe('a file the controller owns', () => {
  it('reads back what the controller wrote, and an outside edit is named and undone', async () => {
    const path = join(goal, 'execution.json');
    const witness = await watched();
    await witness.writeAtomic(path, '{"state":"in_progress"}\n');
    await writeFile(path, '{"state":"complete"}\n');
    expect(await witness.readText(path)).toBe('{"state":"in_progress"}\n');
    expect(await readFile(path, 'utf8')).toBe('{"state":"in_progress"}\n');
    expect(await witness.verify(goal)).toEqual([
      expect.objectContaining({ file: 'execution.json', what: 'changed', restored: true }),
    ]);
  });

  it('catches a rename that lands between its own write and the identity it takes after', async () => {
    const path = join(goal, 'execution.json');
    let race = false;
    const racing: StateFiles = {
      ...localStateFiles,
      async writeAtomic(target, data) {
        await localStateFiles.writeAtomic(target, data);
        if (!race) return;
        race = false;
        await writeFile(`${target}.evil`, '{"state":"complete"}\n');
        await rename(`${target}.evil`, target);
      },
    };
    const witness = await watched(racing);
    race = true;
    await witness.writeAtomic(path, '{"state":"in_progress"}\n');
    expect(await witness.verify(goal)).toEqual([expect.objectContaining({ file: 'execution.json' })]);
    expect(await readFile(path, 'utf8')).toBe('{"state":"in_progress"}\n');
  });

  it('the same race is caught by the next write, before that write covers it', async () => {
    const path = join(goal, 'execution.json');
    let race = false;
    const racing: StateFiles = {
      ...localStateFiles,
      async writeAtomic(target, data) {
        await localStateFiles.writeAtomic(target, data);
        if (!race) return;
        race = false;
        await writeFile(`${target}.evil`, '{"state":"complete"}\n');
        await rename(`${target}.evil`, target);
      },
    };
    const witness = await watched(racing);
    race = true;
    await witness.writeAtomic(path, '{"state":"in_progress"}\n');
    await witness.writeAtomic(path, '{"state":"in_progress","more":1}\n');
    expect(await witness.verify(goal)).toEqual([expect.objectContaining({ file: 'execution.json' })]);
  });

  it('a file nobody touched verifies clean, and unwatched files pass through', async () => {
    const witness = await watched();
    await witness.writeAtomic(join(goal, 'execution.json'), '{}\n');
    await witness.writeAtomic(join(goal, 'proof.json'), '{}\n');
    await writeFile(join(goal, 'proof.json'), '{"status":"ready"}\n');
    expect(await witness.readText(join(goal, 'proof.json'))).toBe('{"status":"ready"}\n');
    expect(await witness.verify(goal)).toEqual([]);
  });
});
