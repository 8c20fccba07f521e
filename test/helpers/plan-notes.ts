import { expect } from 'vitest';
import type { PlanProposal } from '../../src/runtime/plan/planner.js';

// A plan explains itself: every file in a slice's write set is named, with a reason, in the
// planner's notes (the lines of technical-plan.md and of the `planner` decision), so a wrong
// write set is easy to see before anything runs.

/** Why the notes say slice `id` writes each path: path → reason. */
export function writeReasons(notes: readonly string[], id: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const note of notes) {
    const whole = new RegExp(`^(.+); slice ${id} owns the whole repository`).exec(note);
    if (whole?.[1] !== undefined) out.set('.', whole[1]);
    const fallback = new RegExp(`^(.+); slice ${id} writes (?:their common directory )?(.+)$`).exec(note);
    if (fallback?.[1] !== undefined)
      for (const path of fallback[2]?.split(', ') ?? []) out.set(path, fallback[1]);
    if (!note.startsWith(`${id} writes `)) continue;
    const list = note.slice(`${id} writes `.length);
    // "s1 writes a, b: the reason"
    const shared = /^([^():]+): (.+)$/.exec(list);
    if (shared?.[1] !== undefined && shared[2] !== undefined) {
      for (const path of shared[1].split(', ')) out.set(path, shared[2]);
      continue;
    }
    // "s1 writes a (defines x (function, line 1)), b (the existing tests of a)"
    for (const item of list.matchAll(/([^\s,]+) \(((?:[^()]|\([^()]*\))+)\)/g)) {
      if (item[1] !== undefined && item[2] !== undefined) out.set(item[1], item[2]);
    }
  }
  return out;
}

/** Every file of every slice's write set has a reason in the notes. */
export function expectWritesExplained(proposal: PlanProposal): void {
  for (const task of proposal.tasks) {
    const reasons = writeReasons(proposal.notes, task.id);
    for (const path of task.writes) {
      expect(reasons.get(path), `why ${task.id} writes ${path}:\n${proposal.notes.join('\n')}`).toBeTruthy();
    }
  }
}
