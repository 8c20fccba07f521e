import { join, sep } from 'node:path';
import { PolicyViolationError } from '../errors.js';
import { quoteUntrusted, showUntrusted } from '../graph/paths.js';
import type { StrayProcess } from '../integrity/port.js';
import { goalPaths, workspacesDir } from '../state/paths.js';
import type { AppDeps } from './deps.js';

/**
 * Ends what any agent, gate or install of this omk left running, once its runs are over and before
 * anything is pushed or delivered. The checks after each run already end what that run left and
 * block its slice; one found here escaped them (a run outside them, such as the planner's), so
 * nothing is delivered: the goal's work waits for a run that leaves nothing behind.
 */
export async function refuseLeftovers(
  deps: Pick<AppDeps, 'execution' | 'store'>,
  goalId: string,
): Promise<void> {
  const { stateRoot } = deps.store.deps;
  const { root } = (await deps.store.read(goalId)).repo;
  // This goal's runs only: its worktrees, its directory (the planner's), its repository (the base's gates).
  const worktrees = join(workspacesDir(stateRoot), goalId);
  const goalDir = goalPaths(stateRoot, goalId).dir;
  const scan = await deps.execution.integrity.endLeftovers([worktrees, goalDir, root]);
  if (!scan.checked || scan.killed.length === 0) return;
  throw new PolicyViolationError(leftoversMessage(goalId, scan.killed, { worktrees, goalDir, root }), {
    hint: 'Look at what the agent, its gates or the planner started in the background; run the goal again once none is left running.',
  });
}

/** Where a goal's runs ran: its worktrees' directory, its own directory, its repository. */
export interface GoalPlaces {
  worktrees: string;
  goalDir: string;
  root: string;
}

/**
 * What stops the goal: each leftover once, a sandbox's said by its command in that sandbox (two
 * sandboxes number their processes alike), and every run whose sandbox could not say what it left.
 */
export function leftoversMessage(
  goalId: string,
  killed: readonly StrayProcess[],
  places: GoalPlaces,
): string {
  const where = (stray: StrayProcess) => sandboxOf(stray.ranIn, places);
  const unknown = killed.filter((stray) => stray.unreported === true);
  const processes = killed.filter((stray) => stray.unreported !== true);
  const parts: string[] = [];
  if (processes.length > 0) {
    const listed = eachOnce(processes, where).join(', ');
    const one = processes.length === 1;
    parts.push(
      `left ${one ? 'a process' : 'processes'} running after its run ended: ${listed}; ${one ? 'it was' : 'they were'} ended`,
    );
  }
  if (unknown.length > 0) {
    parts.push(
      `ran where omk could not tell what it left (${counted(unknown.map(where), 'runs').join(', ')}): its sandbox's report did not complete (something ended the sandbox's init)`,
    );
  }
  return `A process omk started for goal ${goalId} ${parts.join('; one also ')}; omk delivered nothing.`;
}

/**
 * Each leftover once, in the order found. A host pid names one process; a sandbox's does not: each
 * run's pid namespace numbers from 1, so the planner's two runs (a reply without a plan is asked
 * again) each leave a "pid 3", with the same command or, caught a moment apart in its exec, not
 * ("setsid nohup sleep 300", then "sleep 300"). So a sandbox's leftovers are said by their
 * commands, grouped by sandbox, with how many processes ran each.
 */
function eachOnce(processes: readonly StrayProcess[], where: (stray: StrayProcess) => string): string[] {
  const entries: { sandbox: string | null; texts: string[] }[] = [];
  const bySandbox = new Map<string, string[]>();
  for (const stray of processes) {
    const command = stray.command === '' ? '' : quoteUntrusted(stray.command);
    if (stray.endedBy !== 'sandbox') {
      entries.push({
        sandbox: null,
        texts: [command === '' ? `pid ${stray.pid}` : `pid ${stray.pid} (${command})`],
      });
      continue;
    }
    const sandbox = where(stray);
    let texts = bySandbox.get(sandbox);
    if (texts === undefined) {
      texts = [];
      bySandbox.set(sandbox, texts);
      entries.push({ sandbox, texts });
    }
    texts.push(command === '' ? 'a process' : command);
  }
  return entries.map(({ sandbox, texts }) =>
    sandbox === null ? texts.join('') : `${counted(texts, 'processes').join(', ')} in ${sandbox}`,
  );
}

/** Which sandbox a run in `ranIn` had: a slice's (its worktree), the planner's, the repository's. */
function sandboxOf(ranIn: string | undefined, places: GoalPlaces): string {
  const under = (dir: string) => ranIn !== undefined && (ranIn === dir || ranIn.startsWith(`${dir}${sep}`));
  if (ranIn !== undefined && under(places.worktrees)) {
    const slice = ranIn.slice(places.worktrees.length + 1).split(sep)[0] ?? '';
    if (slice !== '') return `slice ${showUntrusted(slice, 80)}'s sandbox`;
  }
  if (under(places.goalDir)) return "the planner's sandbox";
  if (under(places.root)) return "the sandbox of a run in the repository (the base's gates or setup)";
  return 'a sandbox';
}

/** The same text once, with how many times it came ("x (in 2 runs)", "x (2 processes)"). */
function counted(texts: readonly string[], unit: 'runs' | 'processes'): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return [...counts].map(([text, count]) =>
    count === 1 ? text : unit === 'runs' ? `${text} (in ${count} runs)` : `${text} (${count} processes)`,
  );
}
