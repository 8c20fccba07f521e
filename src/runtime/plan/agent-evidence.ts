import { isWithin } from '../graph/paths.js';
import type { TaskDraft } from '../graph/schema.js';
import type { PlanReply } from './agent-reply.js';
import type { PlanInput } from './planner.js';
import { definingFiles } from './symbols.js';

// Why an agent's plan writes what it writes, in the agent's words and in omk's own evidence: the
// files that define what the goal names (the same `git grep` the heuristic plans from). A plan that
// leaves such a file out of every write set says so, so a wrong plan is easy to see before it runs.

/** One note per slice (the agent's reason, then what omk found), then the defining files no slice writes. */
export function agentWriteNotes(reply: PlanReply, tasks: readonly TaskDraft[], input: PlanInput): string[] {
  const found = definingFiles(input.goalText, input.definitions ?? []);
  const notes: string[] = [];
  for (const slice of reply.slices) {
    const writes = tasks.find((task) => task.id === slice.id)?.writes ?? slice.writes;
    const why = slice.why ?? 'the agent gave no reason';
    const evidence = found.filter((match) => writes.some((write) => isWithin(match.path, write)));
    const omk = evidence.map((match) => `${match.path} ${match.because}`).join('; ');
    notes.push(`${slice.id} writes ${writes.join(', ')}: ${why}${omk === '' ? '' : ` (omk: ${omk})`}`);
  }
  const written = tasks.flatMap((task) => task.writes);
  for (const match of found) {
    if (written.some((write) => isWithin(match.path, write))) continue;
    notes.push(`omk: ${match.path} ${match.because}, and no slice writes it`);
  }
  return notes;
}
