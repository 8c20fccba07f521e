// What an integrity check found, as review findings: every change outside the worktree, every
// process left behind and every link out of the worktree blocks, so the slice is never `ready`.

import { quoteUntrusted } from '../graph/paths.js';
import type { Hint } from '../next-steps.js';
import type { Finding, Gap } from '../proof/schema.js';
import { finding, plural } from '../review/input.js';
import type { Tampering } from '../state/witness.js';
import type { MovedBranch } from '../workspace/port.js';
import { leftoverKey } from './gate-leftovers.js';
import type { EscapingLink, IntegrityChange, StrayProcess, StrayScan, WorktreeState } from './port.js';
import type { StateRootChange } from './state-root.js';

/** Who ran: the messages say which run did it. */
export type RunKind = 'agent' | 'gates';

/** What a finding says of a change omk could not put back. */
const NOT_RESTORED = 'omk cannot restore it; look at it before running git or omk in this repository again';

/**
 * A finished slice's branch a controller found, as it took the goal, elsewhere than where the
 * goal's record says omk captured it: something moved it while no run omk checked was going
 * (between two omk processes), so what it held was never reviewed. Blocking, as a move an agent
 * makes during a run is.
 */
export function movedBranchFindings(moved: readonly MovedBranch[]): Finding[] {
  return moved.map(({ branch, recorded, found, restored }) =>
    finding(
      'security',
      'blocking',
      `omk's branch ${branch} was ${found === null ? 'removed' : `moved to ${found}`} after omk captured it at ${recorded}, ` +
        "where its slice was reviewed, and before this goal run began: something outside omk's checked runs did it; " +
        `${restored ? `omk put it back at ${recorded}` : NOT_RESTORED}. Nothing made since can be trusted.`,
      [],
    ),
  );
}

/**
 * The goal's integration branch a controller found, as it took the goal, elsewhere than where the
 * goal's record says omk last left it (`integrationHead`): moved between two omk processes, so
 * the next integration would build on what no review or gate of omk's saw made. Blocking.
 */
export function movedIntegrationFindings(moved: readonly MovedBranch[]): Finding[] {
  return moved.map(({ branch, recorded, found, restored }) =>
    finding(
      'security',
      'blocking',
      `omk's integration branch ${branch} was ${found === null ? 'removed' : `moved to ${found}`} after omk left it at ${recorded}, ` +
        "and before this goal run began: something outside omk's checked runs did it; " +
        `${restored ? `omk put it back at ${recorded}` : NOT_RESTORED}. Nothing made on it since can be trusted.`,
      [],
    ),
  );
}

/**
 * What differs from the goal run's baseline right before a run: something changed it after an
 * earlier run's checks passed (a process that outlived its agent, a gate's child), so no run of
 * this goal from here on can be trusted.
 */
export function changedSinceFindings(changes: readonly IntegrityChange[], before: string): Finding[] {
  return changes.map((change) => {
    const after = change.restored
      ? 'omk restored it from the snapshot it took before the first agent'
      : NOT_RESTORED;
    return finding(
      'security',
      'blocking',
      `${change.what} was ${change.change} since this goal run began, before ${before} started: an earlier ` +
        `agent's or gate's process did it outside its run; ${after}. Nothing made from here on can be trusted.`,
      [],
    );
  });
}

export function changeFindings(changes: readonly IntegrityChange[], by: RunKind): Finding[] {
  return changes.map((change) => {
    const after = change.restored ? 'omk restored it from its snapshot' : NOT_RESTORED;
    return finding(
      'security',
      'blocking',
      `The ${who(by)} ${change.change} ${change.what}, outside its worktree; ${after}. Nothing it made can be trusted.`,
      [],
    );
  });
}

/**
 * Where the run's checkout is (its path is named `<worktree>` in the commands shown, not as this
 * machine spells it) and, for gates, what the gates on the goal's base left (their commands as
 * `leftoverKey`s): a gate leftover with the same command is pre-existing (an `info` finding).
 */
export interface StrayContext {
  checkout: string;
  baseLeftBehind?: readonly string[];
}

export function strayFindings(scan: StrayScan, by: RunKind, context?: StrayContext): Finding[] {
  if (!scan.checked)
    return [
      finding(
        'security',
        'info',
        `Processes left running by the ${who(by)} were not checked: ${scan.reason}.`,
        [],
      ),
    ];
  return scan.killed.map((stray) => {
    const shown = { ...stray, command: shownCommand(stray.command, context) };
    // An agent's leftover always blocks; a gate's only when the base's gates did not leave it too.
    const preExisting =
      by === 'gates' &&
      stray.unreported !== true &&
      context !== undefined &&
      (context.baseLeftBehind ?? []).includes(leftoverKey(stray.command, context.checkout));
    return preExisting
      ? finding('security', 'info', preExistingMessage(shown), [])
      : finding('security', 'blocking', strayMessage(shown, by), []);
  });
}

/** A command as shown: the run's checkout named `<worktree>`. */
function shownCommand(command: string, context: StrayContext | undefined): string {
  if (context === undefined || context.checkout === '') return command;
  return command.split(context.checkout).join('<worktree>');
}

/**
 * A gate's leftover the base's gates also left: the repository's own test command starts it. It
 * was ended with the gate run, before the worktree was checked clean at the same commit, so it
 * changed nothing the gate results describe.
 */
function preExistingMessage(stray: StrayProcess): string {
  const ended = stray.endedBy === 'sandbox' ? 'the sandbox ended it when it closed' : 'omk ended it';
  return (
    `The gates left process ${stray.pid} (${quoteUntrusted(stray.command)}) running after they ended, ` +
    "as they did on the goal's base before any agent ran (the repository's test command starts it); " +
    `${ended} before the worktree was checked, so it does not block.`
  );
}

/**
 * One process a run left: where it ran only when that is known (its working directory was inside
 * the worktree), and who ended it; or that the sandbox's report of what it left did not complete. A sandbox's pid namespace ended it before omk's checks, so it
 * changed nothing after the run; it still blocks, as everything a run leaves does.
 */
function strayMessage(stray: StrayProcess, by: RunKind): string {
  if (stray.unreported === true) {
    return (
      `omk could not tell what the ${who(by)} left in its sandbox: its report did not complete ` +
      "(something ended the sandbox's init before it listed what was still running). Nothing a run starts may outlive it."
    );
  }
  const command = stray.command === '' ? '' : ` (${quoteUntrusted(stray.command)})`;
  if (stray.endedBy === 'sandbox') {
    const where = stray.inWorktree === true ? ' in the worktree' : '';
    return (
      `The ${who(by)} left process ${stray.pid}${command} running${where} in its sandbox after it ended; ` +
      'it was ended when the sandbox closed. Nothing a run starts may outlive it.'
    );
  }
  const after = "It could have changed the worktree after omk's commit.";
  if (stray.inWorktree === true)
    return `The ${who(by)} left process ${stray.pid} running in the worktree after it ended${command}; omk killed it. ${after}`;
  return `The ${who(by)} left process ${stray.pid}${command} running after it ended; omk ended it. ${after}`;
}

/** Files of omk's commit whose stored object is not what its id says (`CapturedChange.forgedObjects`). */
export function forgedObjectFindings(paths: readonly string[]): Finding[] {
  return paths.map((path) =>
    finding(
      'security',
      'blocking',
      `The object of ${quoteUntrusted(path)} in omk's commit does not hold what its id says: it was ` +
        "rewritten in the repository's .git before omk committed, so what omk reviews and merges is not " +
        'what the gates ran on.',
      [path],
    ),
  );
}

export function linkFindings(links: readonly EscapingLink[]): Finding[] {
  return links.map((link) =>
    finding(
      'security',
      'blocking',
      'target' in link
        ? `${quoteUntrusted(link.path)} is a symbolic link to ${quoteUntrusted(link.target)}, outside the ` +
            'worktree; commit the file itself, or a link that stays inside the repository.'
        : `${quoteUntrusted(link.path)} is a hard link (${link.hardLinks} names on disk, not all of them ` +
            'in the change): omk committed the content of a file that may lie outside the worktree (a key, ' +
            'a shell profile); replace it by a copy of the file it should hold.',
      [link.path],
    ),
  );
}

/**
 * The worktree right before the gates must be the commit omk made, clean; right after, the same
 * commit with no tracked file changed (gates may leave untracked output such as caches).
 */
export function gateStateFindings(
  expectedHead: string,
  before: WorktreeState,
  after: WorktreeState,
  /** False where omk itself prepared the tree after its commit (the integration's installs). */
  untrackedBlocks = true,
  /** Files omk's preparation left there, still as it left them: not changes since the commit. */
  prepared: readonly string[] = [],
): Finding[] {
  const findings: Finding[] = [];
  const tracked = (state: WorktreeState) => state.changes.filter((line) => !line.startsWith('?? '));
  const omks = new Set(prepared);
  const dirty = (untrackedBlocks ? before.changes : tracked(before)).filter(
    (line) => !omks.has(line.slice(3)),
  );
  if (before.head !== expectedHead || dirty.length > 0) {
    findings.push(
      finding(
        'security',
        'blocking',
        `The worktree changed between omk's commit and its gates (${describe(expectedHead, { head: before.head, changes: dirty })}); ` +
          'the gate results do not describe the commit.',
        paths({ head: before.head, changes: dirty }),
      ),
    );
  }
  const added = tracked(after).filter((line) => !before.changes.includes(line));
  if (after.head !== before.head || added.length > 0) {
    findings.push(
      finding(
        'security',
        'blocking',
        `The worktree changed while its gates ran (${describe(before.head ?? '', { head: after.head, changes: added })}); ` +
          'the gate results do not describe the commit.',
        paths({ head: after.head, changes: added }),
      ),
    );
  }
  return findings;
}

function describe(expectedHead: string, state: WorktreeState): string {
  const parts: string[] = [];
  if (state.head !== expectedHead)
    parts.push(`HEAD is ${state.head?.slice(0, 12) ?? 'unborn'}, not ${expectedHead.slice(0, 12)}`);
  if (state.changes.length > 0) parts.push(`${plural(state.changes.length, 'uncommitted change')}`);
  return parts.join(', ');
}

/** The paths of porcelain status lines ("XY path"). */
function paths(state: WorktreeState): string[] {
  return state.changes.slice(0, 20).map((line) => line.slice(3));
}

function who(by: RunKind): string {
  return by === 'agent' ? 'agent' : 'gates (code the agent wrote)';
}

/** The gap code of a goal whose state an outsider changed while its controller ran. */
export const STATE_TAMPERED = 'state_tampered';

/**
 * What the state checks found (`state/witness.ts` for the goal's own files, `state-root.ts` for
 * the rest of the state root), as the goal's gaps: kept in execution.json for good, so the goal is
 * never `ready`. `when` says which run's check found it ("while the agent of s1 ran").
 */
export function tamperingGaps(
  tampering: readonly Tampering[],
  others: readonly StateRootChange[],
  when: string,
): Gap[] {
  const own = tampering.map((t) => ({
    code: STATE_TAMPERED,
    message:
      `${t.file} of this goal was ${t.what} by something other than its controller ${when}; ` +
      (t.restored ? 'omk put back its own copy. ' : 'omk keeps only its digest and cannot restore it. ') +
      'Nothing this run made can be trusted.',
  }));
  const rest = others.map((change) => ({
    code: STATE_TAMPERED,
    message: change.crate
      ? `The crate ${change.what} in cargo's registry sources was written ${when}: ${change.crate}. ` +
        "Cargo checks a crate against Cargo.lock's checksum only when it extracts it, and the gates build with what is there, so " +
        "nothing this run made can be trusted; omk does not restore it: remove the crate's extracted copy (its directory under CARGO_HOME's registry/src) and clean the target directories built from it before the next goal."
      : change.module
        ? `The Go module ${change.what} in the module cache was written ${when}: ${change.module}. ` +
          'Go checks a module against go.sum only when it downloads it, and the gates build with what is there, so ' +
          "nothing this run made can be trusted; omk does not restore it: remove the module cache's copy (go clean -modcache removes them all) before the next goal."
        : change.checkout
          ? `The checkout's ${change.what} was written ${when}: ${change.checkout}. ` +
            "omk's gates run with it (a virtualenv in place, node_modules copied into every worktree), so " +
            'nothing this run made can be trusted; omk does not restore it: look at it, or install it again, before the next goal.'
          : change.cache
            ? `The goal's build cache (${change.what}) was written ${when}: ${change.cache}. ` +
              "Its gates read that cache (a test binary planted there passes for the committed code's), so " +
              "nothing this run made can be trusted; omk does not restore it (it goes with the goal's worktrees)."
            : change.own
              ? `${change.what} of this goal was ${change.change} by something other than omk ${when}; ` +
                'omk does not restore it. Nothing this run made can be trusted; look at that file before using it.'
              : `${change.what} in omk's state root was ${change.change} ${when}, outside this goal. ` +
                'Nothing this run made can be trusted; look at that file before using it.',
  }));
  // What a person does about it: the goal stays short of ready for good, so a new goal is the way
  // on. Hinted, not in the message: the findings repeat the message in the agent's next prompt.
  return [...own, ...rest].map((gap) => ({ ...gap, hint: tamperedHint() }));
}

function tamperedHint(): Hint {
  return [
    'This goal cannot become ready. Find what wrote it (an agent run outside the sandbox can), then start a new goal (',
    { step: 'run' },
    ').',
  ];
}

/** The same, as blocking findings of the run that was checked (its attempt does not pass). */
export function tamperingFindings(gaps: readonly Gap[]): Finding[] {
  return gaps.map((gap) => finding('security', 'blocking', `${STATE_TAMPERED}: ${gap.message}`, []));
}
