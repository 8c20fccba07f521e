import { describe, expect, it } from 'vitest';
import { proofNotice, savedNotice } from './shared-step-notices.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('savedNotice: where a shared step saved its goal', () => {
  it('names the state commit, shortened, dry run or not', () => {
    expect(savedNotice('g-1', COMMIT, false)).toEqual({
      kind: 'saved',
      level: 'info',
      goalId: 'g-1',
      commit: '0123456789ab',
    });
    expect(savedNotice('g-1', COMMIT, true)).toMatchObject({ kind: 'saved', commit: '0123456789ab' });
  });

  it('says a dry run keeps the goal on this runner, and says nothing of a step that saved nothing', () => {
    expect(savedNotice('g-1', null, true)).toEqual({ kind: 'kept_on_runner', level: 'info', goalId: 'g-1' });
    expect(savedNotice('g-1', null, false)).toBeNull();
  });
});

describe('proofNotice: an edited proof', () => {
  it('warns when the proof does not match its digest, only then', () => {
    expect(proofNotice('g-1', false)).toEqual({ kind: 'edited_proof', level: 'warn', goalId: 'g-1' });
    expect(proofNotice('g-1', true)).toBeNull();
  });
});
