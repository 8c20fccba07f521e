import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import type { StateFiles } from './port.js';
import { LOG_TAIL_BYTES, SEALS_FILE, StateWitness } from './witness.js';

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
    logs: [join(goal, 'events.jsonl'), join(goal, 'budget.jsonl')],
    artifacts: [join(goal, 'artifacts')],
  });
  return witness;
}

/** Another omk process (a user's `pause`, `budget-add`): its store watches no goal. */
const otherOmk = () => new StateWitness(localStateFiles);

/**
 * The local store with an outside write landing right after each write of omk's (`after`), or
 * between omk's check and its rename (`before`), once per `arm`.
 */
function racing(when: 'after' | 'before', evil: (target: string) => Promise<void>) {
  let armed = false;
  const fire = async (target: string) => {
    if (!armed) return;
    armed = false;
    await evil(target);
  };
  const files: StateFiles = {
    ...localStateFiles,
    async writeAtomic(target, data) {
      if (when === 'before') await fire(target);
      await localStateFiles.writeAtomic(target, data);
      if (when === 'after') await fire(target);
    },
    async replaceIfIdentity(target, data, identity) {
      if (when === 'before') await fire(target);
      const replace = localStateFiles.replaceIfIdentity;
      if (replace === undefined) throw new Error('the local store replaces by identity');
      const written = await replace(target, data, identity);
      if (when === 'after') await fire(target);
      return written;
    },
  };
  return { files, arm: () => (armed = true) };
}

/** An outsider replacing the file by a rename, as `sed -i` does. */
const renameOver = async (target: string) => {
  await writeFile(`${target}.evil`, '{"state":"complete"}\n');
  await rename(`${target}.evil`, target);
};

describe('the event log', () => {
  it('takes its own appends and the lines another omk process appended through its store', async () => {
    const log = join(goal, 'events.jsonl');
    await writeFile(log, event(1, 'goal_created'));
    const witness = await watched();
    await witness.appendLines(log, event(2, 'task_leased') + event(3, 'agent_started'));
    // `omk goal pause` from another process, and a `budget-add`.
    await otherOmk().appendLines(log, event(4, 'goal_paused') + event(5, 'proof_built'));
    await otherOmk().appendLines(join(goal, 'budget.jsonl'), '{"v":1,"note":"budget-add"}\n');
    await witness.appendLines(log, event(6, 'agent_finished'));
    expect(await witness.verify(goal)).toEqual([]);
  });

  it('names a well-formed lifecycle line appended without a seal: the same line another omk writes', async () => {
    const log = join(goal, 'events.jsonl');
    await writeFile(log, event(1, 'goal_created'));
    const witness = await watched();
    await appendFile(log, event(2, 'goal_accepted'));
    await appendFile(join(goal, 'budget.jsonl'), '{"v":1,"note":"budget-add"}\n');
    expect(await witness.verify(goal)).toEqual([
      expect.objectContaining({
        file: 'events.jsonl',
        what: 'given a line omk did not write (type `goal_accepted`)',
      }),
      expect.objectContaining({ file: 'budget.jsonl', what: 'given a line omk did not write' }),
    ]);
  });

  it('a seal vouches for one line once: a copy of a sealed line, earlier or later, is named', async () => {
    const log = join(goal, 'events.jsonl');
    const accepted = event(2, 'goal_accepted');
    await otherOmk().appendLines(log, event(1, 'goal_created') + accepted);
    const witness = await watched();
    // The line as it stands before the run, appended again: its seal was used by the baseline.
    await appendFile(log, accepted);
    const paused = event(3, 'goal_paused');
    await otherOmk().appendLines(log, paused);
    await appendFile(log, paused);
    expect((await witness.verify(goal)).map((t) => t.what)).toEqual([
      'given a line omk did not write (type `goal_accepted`)',
      'given a line omk did not write (type `goal_paused`)',
    ]);
    expect(await readFile(join(goal, SEALS_FILE), 'utf8')).toContain('"log":"events.jsonl"');
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
    const race = racing('after', renameOver);
    const witness = await watched(race.files);
    race.arm();
    await witness.writeAtomic(path, '{"state":"in_progress"}\n');
    expect(await witness.verify(goal)).toEqual([expect.objectContaining({ file: 'execution.json' })]);
    expect(await readFile(path, 'utf8')).toBe('{"state":"in_progress"}\n');
  });

  it('the same race is caught by the next write, before that write covers it', async () => {
    const path = join(goal, 'execution.json');
    const race = racing('after', renameOver);
    const witness = await watched(race.files);
    race.arm();
    await witness.writeAtomic(path, '{"state":"in_progress"}\n');
    await witness.writeAtomic(path, '{"state":"in_progress","more":1}\n');
    expect(await witness.verify(goal)).toEqual([expect.objectContaining({ file: 'execution.json' })]);
  });

  it.each([
    ['a rename', renameOver],
    ['an edit in place', (target: string) => writeFile(target, '{"state":"complete"}\n')],
  ])(
    'names %s landing between its check and its own rename, instead of covering it unseen',
    async (_, evil) => {
      const path = join(goal, 'execution.json');
      const race = racing('before', evil);
      const witness = await watched(race.files);
      await witness.writeAtomic(path, '{"state":"in_progress"}\n');
      race.arm();
      await witness.writeAtomic(path, '{"state":"in_progress","more":1}\n');
      expect(await witness.verify(goal)).toEqual([
        expect.objectContaining({ file: 'execution.json', what: 'changed', restored: true }),
      ]);
      expect(await readFile(path, 'utf8')).toBe('{"state":"in_progress","more":1}\n');
    },
  );

  it('a file nobody touched verifies clean, and unwatched files pass through', async () => {
    const witness = await watched();
    await witness.writeAtomic(join(goal, 'execution.json'), '{}\n');
    await witness.writeAtomic(join(goal, 'proof.json'), '{}\n');
    await writeFile(join(goal, 'proof.json'), '{"status":"ready"}\n');
    expect(await witness.readText(join(goal, 'proof.json'))).toBe('{"status":"ready"}\n');
    expect(await witness.verify(goal)).toEqual([]);
  });
});

describe('the artifacts omk wrote for the proof', () => {
  it('names a transcript or a review changed or removed after omk kept it', async () => {
    const transcript = join(goal, 'artifacts', 'agent-runs', 's1', 'transcript.log');
    const review = join(goal, 'artifacts', 'reviews', 's1.md');
    await localStateFiles.makeDirs(join(goal, 'artifacts', 'agent-runs', 's1'));
    await localStateFiles.makeDirs(join(goal, 'artifacts', 'reviews'));
    const witness = await watched();
    // The agent adapter writes the transcript; omk keeps it once the run ends.
    await writeFile(transcript, 'ran the tests: 1 failing\n');
    await witness.keepArtifact(transcript);
    await witness.writeAtomic(review, '# Review of s1\n1 blocking finding\n');
    expect(await witness.verify(goal, { thorough: true })).toEqual([]);
    await writeFile(transcript, 'ran the tests: all passing\n');
    await rm(review);
    expect(await witness.verify(goal)).toEqual([
      expect.objectContaining({
        file: 'artifacts/agent-runs/s1/transcript.log',
        what: 'changed',
        restored: false,
      }),
      expect.objectContaining({ file: 'artifacts/reviews/s1.md', what: 'removed', restored: false }),
    ]);
    // Said once.
    expect(await witness.verify(goal, { thorough: true })).toEqual([]);
  });
});

describe("the check's cost", () => {
  /** The local store, counting the bytes read of the event log. */
  function counting() {
    let read = 0;
    const files: StateFiles = {
      ...localStateFiles,
      async readText(path) {
        const text = await localStateFiles.readText(path);
        if (path.endsWith('events.jsonl')) read += Buffer.byteLength(text ?? '');
        return text;
      },
      async readRange(path, start, max) {
        const range = await localStateFiles.readRange(path, start, max);
        if (path.endsWith('events.jsonl')) read += range?.bytes.length ?? 0;
        return range;
      },
    };
    return { files, read: () => read, reset: () => (read = 0) };
  }

  it('reads only the end of what it saw and what was added; an unchanged log not at all', async () => {
    const log = join(goal, 'events.jsonl');
    let history = '';
    for (let seq = 1; seq <= 2000; seq++) history += event(seq, 'agent_output');
    await writeFile(log, history);
    const count = counting();
    const witness = await watched(count.files);
    count.reset();
    const added = event(2001, 'task_leased');
    await witness.appendLines(log, added);
    expect(await witness.verify(goal)).toEqual([]);
    expect(count.read()).toBeLessThanOrEqual(LOG_TAIL_BYTES + added.length);
    expect(history.length).toBeGreaterThan(10 * LOG_TAIL_BYTES);
    count.reset();
    expect(await witness.verify(goal)).toEqual([]);
    expect(count.read()).toBe(0);
  });

  it('a rewrite of the tail is named at once; one of the middle that keeps the tail, before the proof', async () => {
    const log = join(goal, 'events.jsonl');
    let history = '';
    for (let seq = 1; seq <= 2000; seq++)
      history += event(seq, seq === 10 ? 'gates_required' : 'agent_output');
    await writeFile(log, history);
    const witness = await watched();
    // Same length, same end, one early line changed: the run's check cannot see it, the proof's does.
    await writeFile(log, history.replace('gates_required', 'gates_xequired'));
    expect(await witness.verify(goal)).toEqual([]);
    expect((await witness.verify(goal, { thorough: true })).map((t) => t.what)).toEqual([
      'rewritten: lines omk had seen were changed or removed',
    ]);
    // Its last line changed: named by the run's check.
    const now = await readFile(log, 'utf8');
    await writeFile(log, now.replace(/"seq":2000,/, '"seq":2999,'));
    expect((await witness.verify(goal)).map((t) => t.what)).toEqual([
      'rewritten: lines omk had seen were changed or removed',
    ]);
  });
});
