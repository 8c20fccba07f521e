import type { GoalStore } from '../goal/store.js';
import { saidByProgress } from './notes.js';
import { goalProgress, goalView } from './queries.js';
import { renderStatusComment } from './status-comment.js';
import { statusThread } from './status-thread.js';
import type { ThreadNote, ThreadPhase } from './thread-host.js';
import { threadNoteLines } from './thread-words.js';
import type { HostVocabulary } from './vocabulary.js';

/** What a thread's host shows of a goal at one moment, besides what the goal's state says. */
export interface ThreadStatusAsk {
  goalId: string;
  phase: ThreadPhase;
  /** How the host runs goals: here (`local`) or in the repository's workflow (`actions`). */
  mode: string;
  workflow: string;
  notes: readonly ThreadNote[];
  /** The job's thread, used when the goal records no origin (null: none known). */
  issue: number | null;
  /** The person the job knows started the goal, used when the goal records no origin. */
  startedBy: string | null;
}

/**
 * A goal's status comment as it stands now: read from its state (the goal, its proof, its run in
 * phases; a goal not there yet shows only the phase), rendered in the host's words, and the thread
 * it goes to (`statusThread`: the goal's origin, else the job's; null: it is shown nowhere).
 */
export async function threadStatusComment(
  store: GoalStore | null,
  ask: ThreadStatusAsk,
  words: HostVocabulary,
): Promise<{ issue: number | null; body: string }> {
  const { goalId } = ask;
  const [{ goal, proof, origin }, progress] = await Promise.all([
    goalView(store, goalId),
    goalProgress(store, goalId),
  ]);
  const place = statusThread(origin, { issue: ask.issue, startedBy: ask.startedBy });
  const body = renderStatusComment(
    {
      goalId,
      phase: ask.phase,
      mode: ask.mode,
      workflow: ask.workflow,
      goal,
      proof,
      progress: goal === null ? null : progress,
      notes: threadNoteLines(
        goal === null ? ask.notes : ask.notes.filter((note) => !saidByProgress(note)),
        words,
      ),
      startedBy: place.startedBy,
    },
    words.steps,
  );
  return { issue: place.issue, body };
}
