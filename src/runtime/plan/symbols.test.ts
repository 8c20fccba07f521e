import { describe, expect, it } from 'vitest';
import { definingFiles, definitionKind, goalIdentifiers, goalWords, wordDefiningFiles } from './symbols.js';

describe('goalIdentifiers', () => {
  it.each([
    ['fix parseConfig when the file is empty', [['parseConfig', undefined]]],
    ['Version.Compare returns 1 for equal versions', [['Compare', 'Version']]],
    ['refactor add() in src/math.js', [['add', undefined]]],
    ['parse_header drops the last field', [['parse_header', undefined]]],
    [
      'rename `slugify` to `toSlug`',
      [
        ['slugify', undefined],
        ['toSlug', undefined],
      ],
    ],
    [
      'Cookie#serialize(value) ignores maxAge',
      [
        ['serialize', 'Cookie'],
        ['maxAge', undefined],
      ],
    ],
    ['fix the crash in src/parser.ts, e.g. on empty input', []],
    ['update the README and fix the parser', []],
    ['rewrite the CLI in TypeScript and publish it on GitHub', []],
    ['make `npm test` pass again', []],
  ] as const)('%j', (goal, expected) => {
    expect(goalIdentifiers(goal).map((id) => [id.name, id.owner])).toEqual(expected);
  });
});

describe('definitionKind', () => {
  it.each([
    ['export function parseConfig(text: string): Config {', 'parseConfig', 'function'],
    ['export async function parseConfig(text) {', 'parseConfig', 'function'],
    ['export const parseConfig = (text: string) => {', 'parseConfig', 'value'],
    ['def parse_header(line):', 'parse_header', 'function'],
    ['    def compare(self, other):', 'compare', 'function'],
    ['class Version:', 'Version', 'type'],
    ['func (v Version) Compare(o Version) int {', 'Compare', 'method'],
    ['func Parse(s string) (Version, error) {', 'Parse', 'function'],
    ['pub fn parse_header(line: &str) -> Header {', 'parse_header', 'function'],
    ['export interface Options {', 'Options', 'type'],
    ['  serialize(value: string): string {', 'serialize', 'method'],
    ['  public int add(int a, int b) {', 'add', 'method'],
    ['  add = (a, b) => {', 'add', 'method'],
    ['exports.add = function (a, b) {', 'add', 'method'],
    ['Cookie.prototype.serialize = function () {', 'serialize', 'method'],
  ] as const)('%j defines %s', (line, name, kind) => {
    expect(definitionKind(line, name)).toBe(kind);
  });

  it.each([
    ['const config = parseConfig(text);', 'parseConfig'],
    ['  return add(a, b);', 'add'],
    ['  if (add(a, b)) {', 'add'],
    ['import { parseConfig } from "./config.js";', 'parseConfig'],
    ['    header = parse_header(line)', 'parse_header'],
    ['  add(1, 2);', 'add'],
    ['expect(add(1, 2)).toBe(3);', 'add'],
  ] as const)('%j only uses %s', (line, name) => {
    expect(definitionKind(line, name)).toBeNull();
  });
});

describe('definingFiles', () => {
  const defs = [
    { name: 'compare', kind: 'function', path: 'pkg/version.py', line: 9 },
    { name: 'compare', kind: 'function', path: 'pkg/sort.py', line: 3 },
    { name: 'Version', kind: 'type', path: 'pkg/version.py', line: 4 },
    { name: 'helper', kind: 'function', path: 'tests/conftest.py', line: 2 },
    { name: 'helper', kind: 'function', path: 'pkg/util.py', line: 7 },
  ] as const;

  it('prefers the file defining both the type and the member', () => {
    expect(definingFiles('fix Version.compare', defs).map((m) => m.path)).toEqual(['pkg/version.py']);
  });

  it('says why a file is there', () => {
    expect(definingFiles('fix Version.compare', defs)[0]?.because).toBe('defines compare (function, line 9)');
  });

  it('ignores definitions in tests when the code defines the name too', () => {
    expect(definingFiles('`helper` is slow', defs).map((m) => m.path)).toEqual(['pkg/util.py']);
  });

  it("ignores a manifest's key (a Cargo.toml dependency) when code defines the name as a function", () => {
    // The Rust Book's add workspace: adder/Cargo.toml has `add_one = { path = "../add_one" }`.
    const workspace = [
      { name: 'add_one', kind: 'function', path: 'add_one/src/lib.rs', line: 1 },
      { name: 'add_one', kind: 'value', path: 'adder/Cargo.toml', line: 7 },
    ] as const;
    expect(definingFiles('fix add_one: add_one(2) must be 3', workspace).map((m) => m.path)).toEqual([
      'add_one/src/lib.rs',
    ]);
    // A key only a manifest or config defines is still found there.
    const config = [{ name: 'max_retries', kind: 'value', path: 'config/settings.toml', line: 3 }] as const;
    expect(definingFiles('raise `max_retries`', config).map((m) => m.path)).toEqual(['config/settings.toml']);
  });

  it('finds nothing for a name nothing defines', () => {
    expect(definingFiles('fix frobnicateWidget', defs)).toEqual([]);
  });
});

describe('goalWords', () => {
  it.each([
    ['make trim strip tabs too', ['trim', 'strip']],
    ['fix clamp for negative numbers', ['clamp']],
    ['fix the crash when the input is empty', []],
    ['fix `slugify` and parseCookie, then update README.md', []],
    ['rename toLower (in src/strings.js) so that it returns lowercase', ['lowercase']],
  ] as const)('%j', (goal, expected) => {
    expect(goalWords(goal)).toEqual(expected);
  });
});

describe('wordDefiningFiles', () => {
  const defs = [
    { name: 'trim', kind: 'function', path: 'src/strings.js', line: 3 },
    { name: 'trim', kind: 'function', path: 'test/strings.test.js', line: 1 },
    { name: 'clamp', kind: 'value', path: 'src/math.js', line: 1 },
    { name: 'clamp', kind: 'method', path: 'src/range.ts', line: 8 },
    { name: 'clamp', kind: 'function', path: 'docs/clamp.md', line: 2 },
    { name: 'pad', kind: 'function', path: 'a.js', line: 1 },
    { name: 'pad', kind: 'function', path: 'b.js', line: 1 },
    { name: 'pad', kind: 'function', path: 'c.py', line: 1 },
  ] as const;

  it('wins the one or two source files defining a word, with the reason', () => {
    expect(wordDefiningFiles('fix trim so it strips tabs', defs)).toEqual([
      { path: 'src/strings.js', because: 'defines trim (function, line 3)' },
    ]);
    expect(wordDefiningFiles('fix clamp for negative numbers', defs).map((m) => m.path)).toEqual([
      'src/math.js',
      'src/range.ts',
    ]);
  });

  it('says nothing for a word defined in three files or nowhere', () => {
    expect(wordDefiningFiles('fix pad for tabs', defs)).toEqual([]);
    expect(wordDefiningFiles('fix wrap for emoji', defs)).toEqual([]);
  });
});
