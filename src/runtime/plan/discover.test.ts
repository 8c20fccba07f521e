import { describe, expect, it } from 'vitest';
import { discoverRelevantFiles, isTestPath } from './discover.js';

const REPO = [
  'README.md',
  'docs/usage.md',
  'package.json',
  'src/cli/list-command.ts',
  'src/date/parseDate.ts',
  'src/lexer.ts',
  'src/parser.ts',
  'src/parser/ast.ts',
  'src/upload_handler.py',
  'test/lexer.test.ts',
  'test/parser.test.ts',
  'test/test_upload_handler.py',
];

describe('isTestPath', () => {
  it.each([
    ['test/math.test.js', true],
    ['tests/unit/math.js', true],
    ['src/__tests__/math.js', true],
    ['spec/models/user_spec.rb', true],
    ['src/math.test.ts', true],
    ['src/math.spec.tsx', true],
    ['pkg/server/handler_test.go', true],
    ['app/test_models.py', true],
    ['app/models_test.py', true],
    ['test.js', true],
    ['test.mjs', true],
    ['src/test.ts', true],
    ['index.test-d.ts', true],
    ['source/index.test-d.mts', true],
    ['src/math.ts', false],
    ['src/testing/helpers.ts', false],
    ['src/contest.ts', false],
    ['latest/notes.md', false],
    ['src/test_utils.ts', false],
    ['test.py', false],
    ['src/tester.js', false],
    ['README.md', false],
  ])('%s → %s', (path, expected) => {
    expect(isTestPath(path)).toBe(expected);
  });
});

describe('discoverRelevantFiles', () => {
  it('puts a named path first', () => {
    const found = discoverRelevantFiles('fix the parser in src/parser.ts', REPO);
    expect(found[0]).toBe('src/parser.ts');
    expect(found).toContain('test/parser.test.ts');
    expect(found).toContain('src/parser/ast.ts');
  });

  it('matches basenames written without a directory', () => {
    expect(discoverRelevantFiles('update README.md', REPO)[0]).toBe('README.md');
    expect(discoverRelevantFiles('bump the version in package.json', REPO)[0]).toBe('package.json');
    expect(discoverRelevantFiles('update the README', REPO)[0]).toBe('README.md');
  });

  it('splits identifiers and matches whole ones', () => {
    expect(discoverRelevantFiles('parseDate returns the wrong month', REPO)[0]).toBe('src/date/parseDate.ts');
    expect(discoverRelevantFiles('the upload_handler crashes', REPO).slice(0, 2).sort()).toEqual([
      'src/upload_handler.py',
      'test/test_upload_handler.py',
    ]);
    expect(discoverRelevantFiles('add a --json flag to the listCommand', REPO)[0]).toBe(
      'src/cli/list-command.ts',
    );
  });

  it('stems words: tests → test, parsing → parser', () => {
    expect(discoverRelevantFiles('fix the failing tests', REPO)).toEqual([
      'test/lexer.test.ts',
      'test/parser.test.ts',
      'test/test_upload_handler.py',
    ]);
    expect(discoverRelevantFiles('parsing fails on empty input', REPO)).toContain('src/parser.ts');
  });

  it('matches directory segments', () => {
    expect(discoverRelevantFiles('improve the usage docs', REPO)[0]).toBe('docs/usage.md');
    expect(discoverRelevantFiles('something about src/parser/', REPO)[0]).toBe('src/parser/ast.ts');
  });

  it('is empty when nothing matches meaningfully', () => {
    expect(discoverRelevantFiles('implement the frobnicator widget', REPO)).toEqual([]);
    expect(discoverRelevantFiles('fix it and make it better', REPO)).toEqual([]);
    expect(discoverRelevantFiles('', REPO)).toEqual([]);
    expect(discoverRelevantFiles('fix the parser', [])).toEqual([]);
  });

  it('respects the limit and breaks ties by path', () => {
    const files = ['b/widget.ts', 'a/widget.ts', 'c/widget.ts'];
    expect(discoverRelevantFiles('fix the widget', files)).toEqual([
      'a/widget.ts',
      'b/widget.ts',
      'c/widget.ts',
    ]);
    expect(discoverRelevantFiles('fix the widget', files, 2)).toEqual(['a/widget.ts', 'b/widget.ts']);
    expect(discoverRelevantFiles('fix the widget', files, 0)).toEqual([]);
  });

  it('is deterministic regardless of input order', () => {
    const shuffled = [...REPO].reverse();
    expect(discoverRelevantFiles('fix the parser and the lexer', shuffled)).toEqual(
      discoverRelevantFiles('fix the parser and the lexer', REPO),
    );
  });

  // How fast is bench territory (a timing bound here failed at load 20); this is the answer at scale.
  it('finds the one file among 10,000', () => {
    const files: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      files.push(`packages/pkg${i % 50}/src/module${i}/file${i}.ts`);
    }
    files.push('packages/pkg7/src/billing/invoiceTotals.ts');
    const found = discoverRelevantFiles('fix the rounding bug in invoiceTotals for billing in src', files);
    expect(found[0]).toBe('packages/pkg7/src/billing/invoiceTotals.ts');
    expect(found.length).toBeLessThanOrEqual(20);
  });
});
