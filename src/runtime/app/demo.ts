import { join } from 'node:path';
import { OmkError } from '../errors.js';
import type { CreatedGoal } from '../goal/create.js';
import type { GateEvidence } from '../proof/schema.js';
import { createGoalRequestSchema, parseRequest } from '../requests.js';
import { type Baseline, testBaseline } from './baseline.js';
import type { AppDeps } from './deps.js';
import type { ExecuteOutcome } from './execute.js';
import { startGoal } from './start.js';

/** `omk demo` on a fixture repository whose test fails before the fix. */
export interface DemoRequest {
  /** The fixture repository. */
  root: string;
  /** What the demo asks for. */
  goal: string;
  signal?: AbortSignal;
  /** Called once the baseline showed the bug is real, before the goal starts. */
  onBaseline?(baseline: DemoBaseline): void;
  /** Called once the goal is created and planned, before it executes. */
  onPlanned?(created: CreatedGoal): void;
}

export interface DemoBaseline extends Baseline {
  /** The test gates that did not pass on the fixture as it is (never empty). */
  failing: readonly GateEvidence[];
}

export interface DemoOutcome {
  created: CreatedGoal;
  executed: ExecuteOutcome;
  /** Where the gated merge landed, or null when nothing was merged. */
  merge: { target: string; sha: string } | null;
  /** The demo's promise: a ready proof and a merge. Anything else is a bug in omk. */
  succeeded: boolean;
}

/**
 * The whole job offline: the fixture's tests run as they are (they must fail: the bug is real),
 * then a goal run with the demo agent, until ready, delivered as PRs and merged when gated.
 */
export async function runDemo(deps: AppDeps, request: DemoRequest): Promise<DemoOutcome> {
  const { root } = request;
  const baseline = await testBaseline(deps, root, join(root, '.git', 'omk-demo'));
  const failing = baseline.tests.filter((gate) => gate.outcome !== 'passed');
  if (failing.length === 0) {
    throw new OmkError(
      'internal',
      'The demo fixture was supposed to fail its test before the fix, but it passed.',
    );
  }
  request.onBaseline?.({ ...baseline, failing });
  const create = parseRequest(createGoalRequestSchema, {
    goal: request.goal,
    rawGoal: request.goal,
    repo: root,
    agent: 'demo',
    untilReady: true,
    maxAgents: '2',
    policy: 'auto-pr',
    mergePolicy: 'gated',
    budget: { time: '10m' },
  });
  const { created, executed } = await startGoal(deps, {
    create,
    mode: 'run',
    agent: { name: 'demo' },
    onCreated: async (created) => request.onPlanned?.(created),
    execute: {
      after: 'deliver',
      untilReady: true,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    },
  });
  if (executed === null) {
    throw new OmkError('internal', 'The demo goal was not executed: its oracle found it untestable.');
  }
  const merged = executed.proof.delivery.merge;
  const merge = merged ? { target: merged.target, sha: merged.sha } : null;
  return { created, executed, merge, succeeded: executed.proof.status === 'ready' && merge !== null };
}
