import { describe, expect, it } from 'vitest';
import { notReadyProof } from '../delivery/test-delivery.js';
import { NotFoundError } from '../errors.js';
import { budgetNotes, continuationNote, deliveryNotes, threadNoteLines } from './thread-words.js';
import { plainVocabulary } from './vocabulary.js';

describe('thread words', () => {
  it('words a failure omk expected with its hint, and hides one it did not', () => {
    const expected = new NotFoundError('No goal g-1 at /tmp/state.', { hint: 'Start one.' });
    const lines = threadNoteLines([{ code: 'failed', error: expected }], plainVocabulary);
    expect(lines[0]).toBe('Stopped by an error: No goal g-1');
    expect(lines[1]).toBe('What to do: Start one.');
    expect(threadNoteLines([{ code: 'failed', error: new Error('secret path') }], plainVocabulary)).toEqual([
      "Stopped by an internal error. The app's log has the details; resume the goal to try again.",
    ]);
    expect(threadNoteLines([{ code: 'not_shared', goalId: 'g-2' }], plainVocabulary)).toEqual([
      'Goal g-2 is not on the state branch.',
    ]);
  });

  it('shows a hint to its last way out, cutting only a runaway one', () => {
    // A refusal's hint: the host's fix, then the ways out (some 400 characters in a comment's words).
    const fix = `${'allow unprivileged user namespaces, '.repeat(9)}or run where bwrap works`;
    const hint = `${fix}; or set sandbox: off in .omk/config.yml, then ask again.`;
    expect(hint.length).toBeGreaterThan(300);
    const refused = new NotFoundError('Not started.', { hint });
    expect(threadNoteLines([{ code: 'failed', error: refused }], plainVocabulary)[1]).toBe(
      `What to do: ${hint}`,
    );
    const runaway = new NotFoundError('Not started.', { hint: 'x'.repeat(5000) });
    const [, cut] = threadNoteLines([{ code: 'failed', error: runaway }], plainVocabulary);
    expect(cut?.length).toBeLessThan(1000);
    expect(cut?.endsWith('…')).toBe(true);
  });

  it("words a goal's budget, what continues it, and an empty delivery", () => {
    const view = {
      goalId: 'g-1',
      limits: { timeMs: 3_600_000, tokens: null, usd: 10 },
      spent: { timeMs: 90_000, tokens: 1200, usd: 0.5 },
      remaining: { timeMs: 3_510_000, tokens: null, usd: 9.5 },
      checkpoints: [],
    };
    expect(budgetNotes(view)).toEqual([
      'Budget of goal g-1:',
      'time: spent 1m30s of 1h, remaining 58m30s',
      'tokens: spent 1,200 of unlimited, remaining unlimited',
      'usd: spent $0.50 of $10.00, remaining $9.50',
    ]);
    expect(continuationNote('dispatched', 'omk.yml')).toEqual([
      'Dispatched the omk.yml workflow to continue it.',
    ]);
    expect(continuationNote('none', 'omk.yml')).toEqual([]);
    expect(deliveryNotes(null)).toEqual(['Nothing to deliver yet.']);
  });

  it('answers open-pr stopped part-way with what stays open and what was not opened', () => {
    const withheld = {
      code: 'withheld' as const,
      status: 'cancelled' as const,
      policy: 'draft-pr' as const,
      opened: [],
      withheld: ['s1', 'integrator'],
    };
    const plan = { goalId: 'g', policy: 'draft-pr' as const, base: 'main', pulls: [], skipped: [], kept: [] };
    const result = {
      plan,
      delivered: [],
      proof: notReadyProof(),
      stopped: { status: 'cancelled' as const, withheld: ['s1', 'integrator'] },
    };
    expect(deliveryNotes(result, withheld, plainVocabulary)).toEqual([
      'delivery stopped: the goal was cancelled during its delivery: nothing delivered; not opened: s1, integrator (policy draft-pr)',
    ]);
  });
});
