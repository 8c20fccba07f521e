import { describe, expect, it } from 'vitest';
import {
  privilegedPrEvent,
  WORKFLOW_STEP_NAMES,
  warnsLocalPolicy,
  workflowDelivery,
  workflowStepHas,
  workflowStepsWhere,
} from './workflow-steps.js';

describe('workflow steps', () => {
  it('names which steps create a goal, run repository code and take a slice', () => {
    expect(workflowStepsWhere('creates')).toEqual(['run', 'plan']);
    expect(workflowStepsWhere('executes')).toEqual([
      'run',
      'execute',
      'verify',
      'review',
      'integrate',
      'fix',
    ]);
    expect(workflowStepsWhere('slice')).toEqual(['execute', 'verify', 'review', 'integrate', 'status']);
    expect(workflowStepsWhere('runsPending')).toEqual(['integrate']);
    expect(workflowStepHas('plan', 'executes')).toBe(false);
    expect(WORKFLOW_STEP_NAMES).toHaveLength(11);
  });

  it('delivers after run, execute and integrate; a dry run of run or execute only shows it', () => {
    expect(workflowDelivery('run', false)).toBe('deliver');
    expect(workflowDelivery('execute', false)).toBe('deliver');
    expect(workflowDelivery('integrate', false)).toBe('deliver');
    expect(workflowDelivery('run', true)).toBe('dry-run');
    expect(workflowDelivery('execute', true)).toBe('dry-run');
    expect(workflowDelivery('integrate', true)).toBe('none');
    for (const step of ['verify', 'review', 'plan', 'status', 'fix'] as const) {
      expect(workflowDelivery(step, false)).toBe('none');
    }
  });

  it('treats only pull_request_target as holding the base repository secrets', () => {
    expect(privilegedPrEvent('pull_request_target')).toBe(true);
    expect(privilegedPrEvent('pull_request')).toBe(false);
    expect(privilegedPrEvent(undefined)).toBe(false);
  });

  it('warns of a local policy only on a step that creates the goal', () => {
    expect(warnsLocalPolicy('run', 'local')).toBe(true);
    expect(warnsLocalPolicy('plan', 'local')).toBe(true);
    expect(warnsLocalPolicy('execute', 'local')).toBe(false);
    expect(warnsLocalPolicy('run', 'draft-pr')).toBe(false);
  });
});
