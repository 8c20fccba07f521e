// The proof travels (proof.json, the PR body's hidden block, PR bodies, check runs), so it names
// no directory of the machine it was made on: execution.json keeps the absolute paths omk needs to
// find its files again, and the proof is assembled with them made relative. Gate logs and agent
// transcripts become relative to the goal directory ("artifacts/gates/…"), paths inside a worktree
// or the checkout relative to the repository ("src/parser.js"). Proofs written before this, with
// absolute paths, are read as they are: the fields are strings either way.

import { basename, isAbsolute, join, relative } from 'node:path';
import type { ExecutionStateRecord } from '../controller/execution-state.js';
import type { GoalRecord } from '../goal/schema.js';
import { goalPaths, workspacesDir } from '../state/paths.js';
import type { GateEvidence } from './schema.js';

export interface MachineRoots {
  /** The goal directory: its artifacts are named relative to it. */
  goalDir: string;
  /** The user's checkout: paths in it are named relative to the repository. */
  repoRoot: string;
  /** The goal's worktrees directory (<state root>/worktrees/<goal-id>): each worktree is a copy of the repository. */
  worktreesDir: string;
  /** Worktrees recorded elsewhere (a workspace made outside the worktrees directory). */
  worktrees: readonly string[];
  /** omk's state root: what else lies there is named relative to the goal directory. */
  stateRoot: string;
}

type Rewrite = (text: string) => string;

/** The roots of one goal on this machine, from what execution.json recorded. */
export function machineRoots(
  stateRoot: string,
  goal: Pick<GoalRecord, 'id' | 'repo'>,
  execution: Pick<ExecutionStateRecord, 'slices' | 'integration'>,
): MachineRoots {
  return {
    goalDir: goalPaths(stateRoot, goal.id).dir,
    repoRoot: goal.repo.root,
    worktreesDir: join(workspacesDir(stateRoot), goal.id),
    worktrees: [
      ...execution.slices.map((slice) => slice.workspace),
      execution.integration?.workspace ?? null,
    ].filter((path): path is string => path !== null),
    stateRoot,
  };
}

/**
 * The execution record as the proof and PR bodies show it: gate logs and tails, agent transcripts
 * and names, gaps and failures name no absolute path under the roots. Where omk keeps its files
 * (`workspace`, `integration.workspace`) is left as it is: nothing shows it.
 */
export function executionWithoutMachinePaths(
  record: ExecutionStateRecord,
  roots: MachineRoots,
): ExecutionStateRecord {
  const rewrite = relativizer(roots);
  const gate = (entry: GateEvidence): GateEvidence => ({
    ...entry,
    tail: rewrite(entry.tail),
    artifact: entry.artifact === null ? null : rewrite(entry.artifact),
  });
  return {
    ...record,
    slices: record.slices.map((slice) => ({
      ...slice,
      gates: slice.gates.map(gate),
      lastFailure: slice.lastFailure === null ? null : rewrite(slice.lastFailure),
    })),
    finalGates: record.finalGates.map(gate),
    baseGates: record.baseGates.map(gate),
    agentRuns: record.agentRuns.map((run) => ({
      ...run,
      agent: agentName(rewrite(run.agent)),
      transcript: run.transcript === null ? null : rewrite(run.transcript),
    })),
    gaps: record.gaps.map((gap) => ({ ...gap, message: rewrite(gap.message) })),
    failures: record.failures.map((failure) => ({
      ...failure,
      message: rewrite(failure.message),
      evidence: rewrite(failure.evidence),
    })),
  };
}

/**
 * Replaces every root, most specific first: a worktree path and the checkout become
 * repository-relative, the goal directory goal-relative, the rest of the state root relative to
 * the goal directory too ("../../cache/…"). A root on its own becomes ".".
 */
export function relativizer(roots: MachineRoots): Rewrite {
  const rules: { pattern: RegExp; to: string }[] = [];
  const add = (root: string, to: string, segment = '') => {
    const clean = root.replace(/\/+$/, '');
    if (clean === '' || !clean.startsWith('/')) return;
    // The root, then `/` and more, or the root alone (not followed by more of a name: a
    // sentence's full stop may follow, "app.js" may not).
    rules.push({ pattern: new RegExp(`${escapeRegExp(clean)}${segment}(?:/|(?![\\w-]|\\.\\w))`, 'g'), to });
  };
  for (const worktree of [...roots.worktrees].sort((a, b) => b.length - a.length)) add(worktree, '');
  add(roots.worktreesDir, '', '/[^/\\s"\'`]+');
  const ordered = [
    { root: roots.goalDir, to: '' },
    { root: roots.repoRoot, to: '' },
    { root: roots.stateRoot, to: '../../' },
  ].sort((a, b) => b.root.length - a.root.length);
  for (const { root, to } of ordered) add(root, to);
  return (text) => {
    let out = text;
    for (const rule of rules)
      out = out.replace(rule.pattern, (match) => (match.endsWith('/') ? rule.to : dot(rule.to)));
    return out;
  };
}

function dot(to: string): string {
  return to === '' ? '.' : to.replace(/\/$/, '');
}

/** A `script:<path>` agent outside every root is named by its file alone. */
export function agentName(name: string): string {
  const match = /^script:\s*(\/.*)$/.exec(name);
  return match?.[1] === undefined ? name : `script:${basename(match[1])}`;
}

/**
 * An agent spec as the goal's history (events.jsonl) records it: a `script:` path inside the
 * repository relative to it (`script:tools/fix.sh`), one elsewhere by its file name alone
 * (agentName); any other spec as it is. goal.json keeps the spec as given: resume runs it again.
 */
export function recordedAgent(spec: string, repoRoot: string): string {
  const match = /^script:\s*(\/.*)$/.exec(spec);
  if (match?.[1] === undefined) return spec;
  const inside = relative(repoRoot, match[1]);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)
    ? `script:${inside}`
    : agentName(spec);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
