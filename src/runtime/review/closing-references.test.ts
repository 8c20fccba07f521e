import { describe, expect, it } from 'vitest';
import { closingReferenceFindings, closingReferences } from './closing-references.js';

describe('closing references in commit messages', () => {
  it("finds GitHub's closing keywords with an issue, in any case, with a colon, a repository or a URL", () => {
    expect(
      closingReferences(
        'Refactor parser\n\nFixes #1, closes: other/repo#22\nRESOLVED https://github.com/o/r/issues/3',
      ),
    ).toEqual(['Fixes #1', 'closes: other/repo#22', 'RESOLVED https://github.com/o/r/issues/3']);
  });

  it('leaves references without a keyword and keywords without a reference alone', () => {
    expect(closingReferences('see #4; this fixes the crash; prefix #5; suffixes #6')).toEqual([]);
  });

  it('names each phrase once in one warning, and none when there is none', () => {
    expect(closingReferenceFindings(['fix #7', 'omk(g): s1 title', 'fix #7'])).toEqual([
      {
        review: 'security',
        severity: 'warning',
        message:
          'The branch\'s commit messages hold "fix #7": merged into the default branch, GitHub closes the ' +
          'issues they name. Reword the commits if no issue should close.',
        paths: [],
      },
    ]);
    expect(closingReferenceFindings(['omk(g): s1 fix the parser'])).toEqual([]);
  });
});
