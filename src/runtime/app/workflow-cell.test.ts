import { describe, expect, it } from 'vitest';
import { workflowRunIdSuffix } from './shared-goal.js';
import { workflowGoalIdentity } from './workflow-cell.js';

const place = {
  repo: 'acme/widgets',
  runId: '9001',
  job: 'omk',
  runAttempt: '2',
  runnerName: 'GitHub Actions 3',
  hostname: 'fv-az123',
};
const GOAL = 'fix the failing test in src/math.js';

describe('workflowGoalIdentity', () => {
  it('derives the id from the run and holds the goal by this attempt and runner', () => {
    const identity = workflowGoalIdentity(place, GOAL, { goalKey: undefined, dryRun: false });
    expect(identity).toEqual({
      idSuffix: workflowRunIdSuffix({ repo: 'acme/widgets', runId: '9001', job: 'omk' }, GOAL),
      cell: { attempt: '2', runner: 'GitHub Actions 3 on fv-az123' },
    });
  });

  it('tells matrix cells apart by goal key', () => {
    const a = workflowGoalIdentity(place, GOAL, { goalKey: '0', dryRun: false });
    const b = workflowGoalIdentity(place, GOAL, { goalKey: '1', dryRun: false });
    expect(a.idSuffix).not.toBe(b.idSuffix);
  });

  it('gives a dry run, or a step outside a workflow run, neither', () => {
    expect(workflowGoalIdentity(place, GOAL, { goalKey: undefined, dryRun: true })).toEqual({});
    expect(
      workflowGoalIdentity({ ...place, runId: undefined }, GOAL, { goalKey: undefined, dryRun: false }),
    ).toEqual({});
  });

  it('derives the id but holds no cell when the runner does not say its attempt', () => {
    const identity = workflowGoalIdentity({ ...place, runAttempt: undefined, runnerName: undefined }, GOAL, {
      goalKey: undefined,
      dryRun: false,
    });
    expect(identity.cell).toBeUndefined();
    expect(identity.idSuffix).toBeDefined();
  });
});
