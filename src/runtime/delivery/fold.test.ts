import { describe, expect, it } from 'vitest';
import { cut, type Fold, fitSections, foldSequence, type Section } from './fold.js';

describe('foldSequence', () => {
  it('folds tails, then files, then decisions, then long text; with the full block, then the digest; gaps last', () => {
    const steps = foldSequence(true).map((fold) => [
      fold.block,
      fold.tailChars,
      fold.filesShown,
      fold.decisions,
      fold.textChars,
      fold.messageChars,
      fold.grouped,
    ]);
    const detail = (block: string) => [
      [block, 8000, Infinity, true, null, null, false],
      [block, 1500, Infinity, true, null, null, false],
      [block, 0, Infinity, true, null, null, false],
      [block, 0, 100, true, null, null, false],
      [block, 0, 0, true, null, null, false],
      [block, 0, 0, false, null, null, false],
      [block, 0, 0, false, 2000, null, false],
    ];
    expect(steps).toEqual([
      ...detail('full'),
      ...detail('digest'),
      ['digest', 0, 0, false, 2000, 300, false],
      ['digest', 0, 0, false, 2000, 80, false],
      ['digest', 0, 0, false, 2000, 0, false],
      ['digest', 0, 0, false, 2000, 0, true],
    ]);
    expect(foldSequence(false)).toEqual(foldSequence(true).slice(7));
  });
});

describe('fitSections', () => {
  const render = (fold: Fold): Section[] => [
    { text: `detail ${'d'.repeat(fold.tailChars)}`, keep: false },
    { text: `gaps ${'g'.repeat(fold.grouped ? 10 : 100)}`, keep: true },
    { text: '<!-- block -->', keep: true },
  ];

  it('returns the first fold that fits', () => {
    expect(fitSections(render, foldSequence(true), 10_000)).toContain('d'.repeat(8000));
    expect(fitSections(render, foldSequence(true), 2000)).toContain('d'.repeat(1500));
  });

  it('squeezes the cuttable sections when no fold fits, keeping the kept ones and the last whole', () => {
    const sections = (): Section[] => [
      { text: 'a'.repeat(5000), keep: false },
      { text: 'b'.repeat(50), keep: false },
      { text: 'gaps', keep: true },
      { text: '<!-- block -->', keep: true },
    ];
    const body = fitSections(sections, foldSequence(false), 400);
    expect(body.length).toBeLessThanOrEqual(400);
    expect(body).toContain('b'.repeat(50));
    expect(body).toMatch(/characters folded to fit the size limit\._\n\n/);
    expect(body.endsWith('gaps\n\n<!-- block -->\n')).toBe(true);
  });

  it('cuts kept sections too, but never the last, when they alone exceed the limit', () => {
    const sections = (): Section[] => [
      { text: 'x'.repeat(100), keep: false },
      { text: 'g\n'.repeat(500), keep: true },
      { text: '<!-- block -->', keep: true },
    ];
    const body = fitSections(sections, foldSequence(false), 300);
    expect(body.length).toBeLessThanOrEqual(300);
    expect(body.endsWith('<!-- block -->\n')).toBe(true);
  });
});

describe('cut and clip', () => {
  it('cuts at a line boundary and counts what it folded', () => {
    expect(cut('short', 10)).toBe('short');
    const text = `${'a'.repeat(50)}\n${'b'.repeat(50)}\n${'c'.repeat(50)}`;
    const result = cut(text, 120);
    expect(result.length).toBeLessThanOrEqual(120);
    expect(result).toBe(`${'a'.repeat(50)}\n\n_… 102 characters folded to fit the size limit._`);
    expect(cut(text, 10)).toBe('');
  });
});
