import { describe, expect, it } from 'vitest';
import { compareDiagnostics } from './compare.js';
import { parseDiagnostics } from './parse.js';
import { type Diagnostics, diagnosticText } from './types.js';
import { gateDiagnostics } from './verdict.js';

const CWD = '/tmp/omk/wt/s1';
const texts = (output: string) => parseDiagnostics(output, CWD)?.items.map(diagnosticText);

describe('parseDiagnostics', () => {
  it('reads tsc, plain and --pretty', () => {
    const plain = [
      "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/b.ts(10,1): error TS2304: Cannot find name 'foo'.",
    ].join('\n');
    expect(parseDiagnostics(plain, CWD)?.source).toBe('tsc');
    expect(texts(plain)).toEqual([
      "src/a.ts:3:7 TS2322 Type 'string' is not assignable to type 'number'.",
      "src/b.ts:10:1 TS2304 Cannot find name 'foo'.",
    ]);
    const pretty =
      "src/a.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.\n\n3 const x: number = 'a';\n\nFound 1 error in src/a.ts:3\n";
    expect(texts(pretty)).toEqual(["src/a.ts:3:7 TS2322 Type 'string' is not assignable to type 'number'."]);
  });

  it('reads rustc and clippy blocks, with the lint named from the notes', () => {
    const output = [
      '    Checking demo v0.1.0 (/tmp/omk/wt/s1)',
      'warning: unused variable: `x`',
      ' --> src/lib.rs:2:9',
      '  |',
      '2 |     let x = 1;',
      '  |         ^ help: if this is intentional, prefix it with an underscore: `_x`',
      '  |',
      '  = note: `#[warn(unused_variables)]` on by default',
      '',
      'error: unneeded `return` statement',
      ' --> src/lib.rs:7:5',
      '  |',
      '  = help: for further information visit https://rust-lang.github.io/rust-clippy/master/index.html#needless_return',
      'error[E0308]: mismatched types',
      '  --> src/main.rs:4:18',
      'error: could not compile `demo` (lib) due to 2 previous errors; 1 warning emitted',
    ].join('\n');
    expect(parseDiagnostics(output, CWD)?.source).toBe('rustc');
    expect(texts(output)).toEqual([
      'src/lib.rs:2:9 unused_variables unused variable: `x`',
      'src/lib.rs:7:5 clippy::needless_return unneeded `return` statement',
      'src/main.rs:4:18 E0308 mismatched types',
    ]);
  });

  it('reads biome lint and format complaints', () => {
    const output = [
      'src/a.ts:1:1 lint/style/useConst  FIXABLE  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
      '',
      '  ! This let declares a variable that is only assigned once.',
      '',
      'src/b.ts format ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
      '',
      '  × Formatter would have printed the following content:',
      'check ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
      '',
      '  × Some errors were emitted while running checks.',
    ].join('\n');
    expect(texts(output)).toEqual([
      'src/a.ts:1:1 lint/style/useConst This let declares a variable that is only assigned once.',
      'src/b.ts format Formatter would have printed the following content:',
    ]);
  });

  it('reads eslint stylish with absolute paths made relative to the tree', () => {
    const output = [
      '',
      '/tmp/omk/wt/s1/src/a.js',
      "  1:7   error    'x' is assigned a value but never used  no-unused-vars",
      '  2:1   warning  Unexpected console statement            no-console',
      '  9:1   error    Parsing error: Unexpected token',
      '',
      '✖ 3 problems (2 errors, 1 warning)',
    ].join('\n');
    expect(parseDiagnostics(output, CWD)?.source).toBe('eslint-stylish');
    expect(texts(output)).toEqual([
      "src/a.js:1:7 no-unused-vars 'x' is assigned a value but never used",
      'src/a.js:2:1 no-console Unexpected console statement',
      'src/a.js:9:1 eslint Parsing error: Unexpected token',
    ]);
  });

  it("reads xo's pretty reporter: a file heading, then ✖ errors and ⚠ warnings (xo 1.2, real output)", () => {
    const output = [
      '',
      '  index.js:1:1',
      '  ✖  1:1   Unexpected var, use let or const instead.          no-var',
      '  ✖  2:17  Missing semicolon.                                 @stylistic/semi',
      '',
      '  lib/util.js:2:11',
      '  ⚠  4:1   Unexpected todo comment: TODO: later.              no-warning-comments',
      '  ✖  2:11  Expected === and instead saw ==.                   eqeqeq',
      '',
      '  1 warning',
      '  3 errors',
    ].join('\n');
    expect(parseDiagnostics(output, CWD)?.source).toBe('xo');
    expect(texts(output)).toEqual([
      'index.js:1:1 no-var Unexpected var, use let or const instead.',
      'index.js:2:17 @stylistic/semi Missing semicolon.',
      'lib/util.js:4:1 no-warning-comments Unexpected todo comment: TODO: later.',
      'lib/util.js:2:11 eqeqeq Expected === and instead saw ==.',
    ]);
  });

  it('reads file:line:col tools: ruff, flake8, eslint -f unix, mypy', () => {
    expect(texts('a.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.')).toEqual([
      'a.py:1:8 F401 `os` imported but unused',
    ]);
    expect(texts('./pkg/a.py:3:1: E302 expected 2 blank lines, found 1')).toEqual([
      'pkg/a.py:3:1 E302 expected 2 blank lines, found 1',
    ]);
    expect(
      texts("/tmp/omk/wt/s1/src/a.js:1:7: 'x' is assigned a value but never used. [Error/no-unused-vars]"),
    ).toEqual(["src/a.js:1:7 no-unused-vars 'x' is assigned a value but never used."]);
    expect(
      texts(
        'a.py:3: error: Incompatible types in assignment  [assignment]\na.py:3: note: see here\nFound 1 error',
      ),
    ).toEqual(['a.py:3 assignment Incompatible types in assignment']);
  });

  it('reads ruff full output', () => {
    const output = 'F401 [*] `os` imported but unused\n --> a.py:1:8\n  |\n1 | import os\n';
    expect(parseDiagnostics(output, CWD)?.source).toBe('ruff');
    expect(texts(output)).toEqual(['a.py:1:8 F401 `os` imported but unused']);
  });

  it('reads formatters that list files: prettier, cargo fmt (one per file), black, gofmt -l', () => {
    const prettier =
      'Checking formatting...\n[warn] src/a.ts\n[warn] src/b.ts\n[warn] Code style issues found in 2 files. Run Prettier with --write to fix.';
    expect(texts(prettier)).toEqual(['src/a.ts format not formatted', 'src/b.ts format not formatted']);
    const cargoFmt =
      'Diff in /tmp/omk/wt/s1/src/lib.rs at line 1:\n-fn a(){}\n+fn a() {}\nDiff in /tmp/omk/wt/s1/src/lib.rs at line 9:\n';
    expect(texts(cargoFmt)).toEqual(['src/lib.rs format not formatted']);
    expect(
      texts('would reformat /tmp/omk/wt/s1/a.py\nOh no! 💥 💔 💥\n1 file would be reformatted.'),
    ).toEqual(['a.py format not formatted']);
    expect(texts('main.go\ninternal/x.go\n')).toEqual([
      'main.go gofmt not formatted',
      'internal/x.go gofmt not formatted',
    ]);
  });

  it('is null when nothing in the output is a diagnostic', () => {
    expect(parseDiagnostics('', CWD)).toBeNull();
    expect(parseDiagnostics('sh: 1: eslint: not found\nnpm ERR! code 127', CWD)).toBeNull();
    expect(parseDiagnostics('Error: Cannot find module "x"\n    at foo (node:internal)', CWD)).toBeNull();
  });
});

describe('comparing diagnostics with the base', () => {
  const read = (output: string, cwd = CWD): Diagnostics => {
    const parsed = parseDiagnostics(output, cwd);
    if (parsed === null) throw new Error('unreadable');
    return parsed;
  };
  const base = read(
    [
      'src/a.ts(3,7): error TS2322: Bad.',
      'src/a.ts(9,1): error TS2322: Bad.',
      'src/b.ts(1,1): error TS2304: Gone.',
    ].join('\n'),
    '/tmp/omk/base',
  );

  it('matches by file, rule and message whatever the lines, and counts multiplicity', () => {
    // Two lines inserted above: every line moved, nothing is new.
    const shifted = read(
      [
        'src/a.ts(5,7): error TS2322: Bad.',
        'src/a.ts(11,1): error TS2322: Bad.',
        'src/b.ts(3,1): error TS2304: Gone.',
      ].join('\n'),
    );
    expect(compareDiagnostics(base, shifted)).toEqual({ added: [], fixed: 0, preExisting: 3 });
    // A third copy of the same complaint is one new one; the fixed one is counted.
    const more = read(
      [
        'src/a.ts(3,7): error TS2322: Bad.',
        'src/a.ts(9,1): error TS2322: Bad.',
        'src/a.ts(20,1): error TS2322: Bad.',
      ].join('\n'),
    );
    const comparison = compareDiagnostics(base, more);
    expect(comparison.added.map(diagnosticText)).toEqual(['src/a.ts:20:1 TS2322 Bad.']);
    expect(comparison.fixed).toBe(1);
    expect(comparison.preExisting).toBe(2);
  });

  it('gives the proof counts and the first few new ones, or nothing when a side is unreadable', () => {
    const head = read(
      [
        ...Array.from({ length: 7 }, (_, i) => `src/c.ts(${i + 1},1): error TS1005: ';' expected.`),
        'src/b.ts(1,1): error TS2304: Gone.',
      ].join('\n'),
    );
    const proof = gateDiagnostics(head, base);
    expect(proof).toMatchObject({ source: 'tsc', new: 7, fixed: 2, preExisting: 1 });
    expect(proof?.firstNew).toHaveLength(5);
    expect(proof?.firstNew[0]).toBe("src/c.ts:1:1 TS1005 ';' expected.");
    expect(gateDiagnostics(head, null)).toBeNull();
    expect(gateDiagnostics(null, base)).toBeNull();
  });

  it('names the files a formatter lists on both sides: it lists files, not lines, so what the change did inside them is unseen', () => {
    // ts-dedent 2.3.0's `prettier --check src` (prettier 3.10), its src/index.ts unformatted on the
    // base; on the head the agent's one-line fix, written unformatted, is in that same file.
    const output = [
      '> ts-dedent@2.3.0 format:check',
      '> prettier --check src',
      '',
      'Checking formatting...',
      '[warn] Ignored unknown option { files: "*.ts" }.',
      '[warn] Ignored unknown option { files: "*.ts" }.',
      '[warn] src/index.ts',
      '[warn] Code style issues found in the above file. Run Prettier with --write to fix.',
    ].join('\n');
    const read = (text: string) => parseDiagnostics(text, CWD);
    expect(gateDiagnostics(read(output), read(output))).toEqual({
      source: 'format-check',
      new: 0,
      fixed: 0,
      preExisting: 1,
      firstNew: [],
      preExistingFiles: ['src/index.ts'],
    });
    // A tool that names lines keeps its counts alone.
    const tsc = read("tsconfig.json(3,15): error TS5107: Option 'target=ES5' is deprecated.");
    expect(gateDiagnostics(tsc, tsc)).not.toHaveProperty('preExistingFiles');
  });
});
