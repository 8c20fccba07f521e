import { describe, expect, it } from 'vitest';
import { renderFixPrompt } from '../agents/fix-prompt.js';
import { unhandled } from './fix.js';
import { type FixReport, fixReply } from './fix-reply.js';

const applied: FixReport = {
  pr: 4,
  headSha: 'abcdef0123456789abcdef0123456789abcdef01',
  changedFiles: ['src/math.js'],
  agentFailure: null,
  proofStatus: 'ready',
  failing: [],
  delivered: true,
};

describe('fixReply', () => {
  it('names the fix commit, its files and the ready proof', () => {
    const body = fixReply(applied);
    expect(body).toContain('omk pushed a fix to this PR: abcdef012345, changing `src/math.js`.');
    expect(body).toContain('the proof is **ready**');
  });

  it('says which gates fail and that the PR stays open when the proof does not hold', () => {
    const body = fixReply({ ...applied, proofStatus: 'failed', failing: ['lint'] });
    expect(body).toContain('The proof is **failed** on the new head: `lint` fail. The PR stays open');
  });

  it('says nothing changed, and why, when the agent left no change', () => {
    const body = fixReply({
      ...applied,
      headSha: null,
      changedFiles: [],
      agentFailure: 'timeout: no output',
    });
    expect(body).toBe(
      'omk did not change PR #4: the agent timeout: no output.\n\nThe PR stays as it was; its proof is still **ready**.',
    );
  });

  it('never starts a line with /omk', () => {
    const body = fixReply({ ...applied, changedFiles: ['/omk goal merge'] });
    expect(body.split('\n').some((line) => line.startsWith('/omk'))).toBe(false);
  });
});

describe('unhandled', () => {
  it('drops requests a fix already handled and repeats within one batch', () => {
    const requests = [
      { id: 'review-comment:1', text: 'a' },
      { id: 'review-comment:2', text: 'b' },
      { id: 'review-comment:2', text: 'b' },
    ];
    expect(unhandled(requests, new Set(['review-comment:1'])).map((r) => r.id)).toEqual(['review-comment:2']);
  });
});

describe('renderFixPrompt', () => {
  it('puts every request with its path and line, and the failing evidence, in the prompt', () => {
    const prompt = renderFixPrompt({
      goal: 'fix add',
      branch: 'omk/g-1/integration',
      pr: 4,
      requests: [{ text: 'rename x', path: 'src/math.js', line: 2, author: 'octo' }],
      failing: 'test failed: add sums',
      writes: ['src/'],
    });
    expect(prompt.startsWith('# Review fix for PR #4')).toBe(true);
    expect(prompt).toContain('1. on `src/math.js` line 2 (from octo):');
    expect(prompt).toContain('rename x');
    expect(prompt).toContain('## What fails on the branch now');
    expect(prompt).toContain('test failed: add sums');
    expect(prompt).toContain('- src/');
  });
});
