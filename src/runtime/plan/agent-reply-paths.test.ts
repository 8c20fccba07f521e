import { describe, expect, it } from 'vitest';
import { WORKFLOW_PATHS } from '../graph/protected.js';
import { checkReplyPaths, PLAN_REPLY_VERSION, type PlanReply } from './agent-reply.js';

const FILES = ['src/parser.js', '.github/workflows/ci.yml', '.env.example'];

function reply(writes: string[]): PlanReply {
  return {
    version: PLAN_REPLY_VERSION,
    classification: { class: 'fix', why: 'the CI workflow uses Node 20' },
    slices: [
      {
        id: 's1-ci',
        title: 'Use Node 22 in CI',
        role: 'implementer',
        reads: [],
        writes,
        dependsOn: [],
        acceptance: ['CI uses Node 22'],
        tests: [],
        risk: 'low',
      },
    ],
  };
}

describe('checkReplyPaths: protected writes', () => {
  it('refuses a workflow write unless the goal was created to change its workflows, and a secrets file always', () => {
    expect(checkReplyPaths(reply(['.github/workflows/ci.yml']), FILES)).toEqual([
      expect.stringMatching(/^s1-ci\.writes: ".github\/workflows\/ci.yml" is protected/),
    ]);
    expect(checkReplyPaths(reply(['.github/workflows/ci.yml', '.']), FILES, WORKFLOW_PATHS)).toEqual([]);
    expect(checkReplyPaths(reply(['.env.example']), FILES, WORKFLOW_PATHS)).toEqual([
      expect.stringMatching(/^s1-ci\.writes: ".env.example" is protected/),
    ]);
  });
});
