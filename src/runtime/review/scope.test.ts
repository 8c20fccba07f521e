import { describe, expect, it } from 'vitest';
import { reviewScope } from './scope.js';
import { changed, reviewInput } from './test-fixtures.js';

describe('reviewScope', () => {
  it('reports every changed file outside the write set in one blocking finding', () => {
    const findings = reviewScope(
      reviewInput({ writes: ['src/api'], changedFiles: changed('src/api/a.ts', 'lib/z.ts', 'docs/b.md') }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      review: 'controller',
      severity: 'blocking',
      paths: ['docs/b.md', 'lib/z.ts'],
    });
    expect(findings[0]?.message).toContain('2 changed files lie outside the write set of "api"');
    expect(findings[0]?.message).toContain('writes: "src/api"');
  });

  it('accepts changes inside the write set, including case-only differences', () => {
    const input = reviewInput({
      writes: ['src/api', 'README.md'],
      changedFiles: changed('src/api/x/y.ts', 'readme.md'),
    });
    expect(reviewScope(input)).toEqual([]);
  });

  it('does not treat a sibling with a common prefix as inside', () => {
    const findings = reviewScope(
      reviewInput({ writes: ['src/api'], changedFiles: changed('src/api-v2/a.ts') }),
    );
    expect(findings.map((entry) => entry.paths)).toEqual([['src/api-v2/a.ts']]);
  });

  it('lets the whole-repository scope change everything except protected paths', () => {
    const findings = reviewScope(
      reviewInput({
        writes: ['.'],
        changedFiles: changed('src/a.ts', 'docs/x.md', '.github/workflows/ci.yml', 'config/.env'),
      }),
    );
    expect(findings.map((entry) => [entry.severity, entry.paths])).toEqual([
      ['blocking', ['.github/workflows/ci.yml']],
      ['blocking', ['config/.env']],
    ]);
    expect(findings[0]?.message).toMatch(
      /^Protected path changed: "\.github\/workflows\/ci\.yml" is protected/,
    );
  });

  it('allows a protected path the plan names, and only that one', () => {
    const input = reviewInput({
      writes: ['.github/workflows/ci.yml', '.github/workflows/release.yml'],
      allowedProtectedPaths: ['.github/workflows/ci.yml'],
      changedFiles: changed('.github/workflows/ci.yml', '.github/workflows/release.yml'),
    });
    expect(reviewScope(input).map((entry) => entry.paths)).toEqual([['.github/workflows/release.yml']]);
  });

  it('counts a path that cannot be normalized as outside, and an empty write set allows nothing', () => {
    const findings = reviewScope(
      reviewInput({ writes: [], changedFiles: changed('../escape.txt', 'src/a.ts') }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.paths).toEqual(['../escape.txt', 'src/a.ts']);
    expect(findings[0]?.message).toContain('it may write nothing');
  });
});
