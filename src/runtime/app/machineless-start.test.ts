import { describe, expect, it } from 'vitest';
import { RequestError, UsageError } from '../errors.js';
import { machinelessStartRequest, REPO_PLACEHOLDER } from './machineless-start.js';
import { plainVocabulary } from './vocabulary.js';

const fields = (more: Partial<Parameters<typeof machinelessStartRequest>[0]> = {}) => ({
  goal: 'fix the parser',
  untilReady: false,
  allowGateEdits: false,
  allowWorkflowEdits: false,
  llmPlanner: true,
  budget: {},
  ...more,
});

describe('machinelessStartRequest', () => {
  it('starts draft PRs by default, the repository a placeholder until the job has a checkout', () => {
    const request = machinelessStartRequest(fields({ budget: { time: '2h' } }), 'abc123', plainVocabulary);
    expect(request).toMatchObject({
      policy: 'draft-pr',
      repo: REPO_PLACEHOLDER,
      budget: { time: 7_200_000 },
    });
    expect(machinelessStartRequest(fields({ policy: 'auto-pr' }), 'abc123', plainVocabulary).policy).toBe(
      'auto-pr',
    );
  });

  it('refuses the local policy and goals a workflow reads as commands; the schema words the rest', () => {
    const start = (more: Parameters<typeof fields>[0]) => () =>
      machinelessStartRequest(fields(more), 'abc123', plainVocabulary);
    expect(start({ policy: 'local' })).toThrow(UsageError);
    expect(start({ policy: 'local' })).toThrow(/keeps branches on the machine that ran the goal/);
    expect(start({ goal: 'say ::set-output name=x::1' })).toThrow(/reads as a workflow command/);
    expect(start({ maxAgents: 'many' })).toThrow(RequestError);
  });
});
