import { describe, expect, it } from 'vitest';
import type { Annotation } from '../forge/port.js';
import { gate } from '../review/test-fixtures.js';
import {
  annotationsFromGateOutput,
  gateAnnotationLevel,
  gateOutputAnnotations,
  relativePath,
} from './annotations.js';

const ROOT = '/home/runner/work/repo/repo';
type Expected = Pick<Annotation, 'path' | 'startLine' | 'level' | 'message'>;
const pick = ({ path, startLine, level, message }: Annotation): Expected => ({
  path,
  startLine,
  level,
  message,
});

const SAMPLES: [string, string, Expected[]][] = [
  [
    'tsc (plain)',
    "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.\n" +
      "src/b.ts(3,1): warning TS6133: 'x' is declared but its value is never read.",
    [
      {
        path: 'src/a.ts',
        startLine: 12,
        level: 'failure',
        message: "TS2322: Type 'string' is not assignable to type 'number'.",
      },
      {
        path: 'src/b.ts',
        startLine: 3,
        level: 'warning',
        message: "TS6133: 'x' is declared but its value is never read.",
      },
    ],
  ],
  [
    'tsc (pretty, with colours)',
    "\u001b[96msrc/a.ts\u001b[0m:\u001b[93m12\u001b[0m:\u001b[93m5\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2322: \u001b[0mType 'string' is not assignable.\n\n12   const x: number = 'a';\n         ~\n",
    [
      {
        path: 'src/a.ts',
        startLine: 12,
        level: 'failure',
        message: "TS2322: Type 'string' is not assignable.",
      },
    ],
  ],
  [
    'ESLint stylish',
    `\n${ROOT}/src/a.ts\n  12:5  error    'x' is defined but never used  no-unused-vars\n  14:1  warning  Unexpected console statement   no-console\n\n${ROOT}/src/b.ts\n  1:1  error  Missing semicolon  semi\n\n✖ 3 problems (2 errors, 1 warning)\n`,
    [
      {
        path: 'src/a.ts',
        startLine: 12,
        level: 'failure',
        message: "'x' is defined but never used no-unused-vars",
      },
      {
        path: 'src/a.ts',
        startLine: 14,
        level: 'warning',
        message: 'Unexpected console statement no-console',
      },
      { path: 'src/b.ts', startLine: 1, level: 'failure', message: 'Missing semicolon semi' },
    ],
  ],
  [
    'ESLint unix',
    `${ROOT}/src/a.ts:12:5: 'x' is defined but never used. [Error/no-unused-vars]\nsrc/c.ts:2:1: Unexpected console statement. [Warning/no-console]\n\n2 problems`,
    [
      {
        path: 'src/a.ts',
        startLine: 12,
        level: 'failure',
        message: "'x' is defined but never used. [Error/no-unused-vars]",
      },
      {
        path: 'src/c.ts',
        startLine: 2,
        level: 'warning',
        message: 'Unexpected console statement. [Warning/no-console]',
      },
    ],
  ],
  [
    'Biome',
    'src/a.ts:12:5 lint/suspicious/noExplicitAny ━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n\n  × Unexpected any. Specify a different type.\n\n    11 │ export function f(\n  > 12 │   x: any,\n       │      ^^^\n',
    [
      {
        path: 'src/a.ts',
        startLine: 12,
        level: 'failure',
        message: 'lint/suspicious/noExplicitAny: Unexpected any. Specify a different type.',
      },
    ],
  ],
  [
    'vitest',
    " FAIL  src/math.test.ts > add > adds\nAssertionError: expected 2 to be 3 // Object.is equality\n\n- Expected\n+ Received\n\n ❯ src/math.test.ts:12:22\n     10| \n     11| it('adds', () => {\n     12|   expect(add(1, 1)).toBe(3);\n       |                     ^\n",
    [
      {
        path: 'src/math.test.ts',
        startLine: 12,
        level: 'failure',
        message: 'AssertionError: expected 2 to be 3 // Object.is equality',
      },
    ],
  ],
  [
    'jest stack frames (first in-repo frame per error)',
    "  ● add › adds\n\n    TypeError: Cannot read properties of undefined (reading 'x')\n\n      at get (src/util.ts:3:14)\n      at Object.<anonymous> (src/util.test.ts:8:5)\n      at Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)\n",
    [
      {
        path: 'src/util.ts',
        startLine: 3,
        level: 'failure',
        message: "TypeError: Cannot read properties of undefined (reading 'x')",
      },
    ],
  ],
  [
    'node:test (TAP, absolute location)',
    `not ok 1 - adds\n  ---\n  duration_ms: 0.61\n  location: '${ROOT}/test/x.test.js:5:3'\n  failureType: 'testCodeFailure'\n  error: |-\n    Expected values to be strictly equal:\n  code: 'ERR_ASSERTION'\n  ...\n`,
    [
      {
        path: 'test/x.test.js',
        startLine: 5,
        level: 'failure',
        message: 'Expected values to be strictly equal:',
      },
    ],
  ],
  [
    'pytest',
    '    def test_add():\n>       assert add(1, 1) == 3\nE       assert 2 == 3\n\ntests/test_x.py:12: AssertionError\n=========================== short test summary info ============================\nFAILED tests/test_x.py::test_add - assert 2 == 3',
    [{ path: 'tests/test_x.py', startLine: 12, level: 'failure', message: 'AssertionError' }],
  ],
  [
    'Python traceback',
    'Traceback (most recent call last):\n  File "/usr/lib/python3.12/runpy.py", line 198, in _run_module_as_main\n  File "app/main.py", line 7, in <module>\n    main()\nZeroDivisionError: division by zero',
    [{ path: 'app/main.py', startLine: 7, level: 'failure', message: 'ZeroDivisionError: division by zero' }],
  ],
  [
    'cargo',
    'error[E0308]: mismatched types\n  --> src/main.rs:12:5\n   |\n12 |     "a"\n   |     ^^^ expected `i32`, found `&str`\n\nwarning: unused variable: `x`\n --> src/lib.rs:3:9\n',
    [
      { path: 'src/main.rs', startLine: 12, level: 'failure', message: 'error[E0308]: mismatched types' },
      { path: 'src/lib.rs', startLine: 3, level: 'warning', message: 'warning: unused variable: `x`' },
    ],
  ],
  [
    'go build and go test',
    '# example.com/x\n./x.go:12:5: undefined: foo\n--- FAIL: TestAdd (0.00s)\n    x_test.go:12: got 2, want 3\nFAIL',
    [
      { path: 'x.go', startLine: 12, level: 'failure', message: 'undefined: foo' },
      { path: 'x_test.go', startLine: 12, level: 'failure', message: 'got 2, want 3' },
    ],
  ],
  [
    'generic (gcc)',
    'main.c:3:10: warning: unused variable ‘y’ [-Wunused-variable]\nmain.c:4:1: error: expected ‘;’ before ‘}’ token',
    [
      {
        path: 'main.c',
        startLine: 3,
        level: 'warning',
        message: 'warning: unused variable ‘y’ [-Wunused-variable]',
      },
      { path: 'main.c', startLine: 4, level: 'failure', message: 'error: expected ‘;’ before ‘}’ token' },
    ],
  ],
];

describe('annotationsFromGateOutput', () => {
  it.each(SAMPLES)('parses %s', (_format, output, expected) => {
    const annotations = annotationsFromGateOutput('check', output, 50, { repoRoot: ROOT });
    expect(annotations.map(pick)).toEqual(expected);
    for (const annotation of annotations) {
      expect(annotation).toMatchObject({ title: 'check', endLine: annotation.startLine });
    }
  });

  it('ignores what is not a location: timestamps, URLs, ports, prose', () => {
    const output =
      '12:30:45 starting\nhttps://example.com:443/x\nlistening on localhost:3000\nDone in 1.2s: ok\nTests: 3 failed';
    expect(annotationsFromGateOutput('test', output)).toEqual([]);
  });

  it('drops absolute paths outside the repository, `..` and node_modules', () => {
    const output =
      '/etc/passwd:1: x\n../secret.ts:1:1: y\nsrc/../../z.ts:2: z\nnode_modules/a/b.js:1:1: w\nC:\\x\\a.ts:1:1: v';
    expect(annotationsFromGateOutput('lint', output)).toEqual([]);
  });

  it('deduplicates, caps, uses the given level and is deterministic', () => {
    const output = Array.from(
      { length: 200 },
      (_, index) => `src/f${index % 80}.ts:${index % 80}: boom`,
    ).join('\n');
    const annotations = annotationsFromGateOutput('lint', output, 50, { level: 'warning' });
    expect(annotations).toHaveLength(50);
    expect(new Set(annotations.map((a) => a.path)).size).toBe(50);
    expect(annotations.every((a) => a.level === 'warning')).toBe(true);
    expect(annotations[0]).toMatchObject({ path: 'src/f0.ts', startLine: 1 });
    expect(annotationsFromGateOutput('lint', output, 50, { level: 'warning' })).toEqual(annotations);
    expect(annotationsFromGateOutput('lint', output)).toHaveLength(50);
    expect(annotationsFromGateOutput('lint', output, 0)).toEqual([]);
  });

  it('stays fast and bounded on huge or hostile output', () => {
    const hostile = `${'a.'.repeat(200_000)}\n${'at ( '.repeat(100_000)}\n${`src/x.ts:1: ${'m'.repeat(5000)}`}`;
    const started = Date.now();
    const annotations = annotationsFromGateOutput('x', hostile);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(annotations).toEqual([]);
    const long = annotationsFromGateOutput('x', `src/y.ts:3: ${'m'.repeat(900)}\u0007`);
    expect(long[0]?.message).toMatch(/^m+$/);
  });
});

describe('relativePath', () => {
  it.each([
    ['src/a.ts', null, 'src/a.ts'],
    ['./src//a.ts', null, 'src/a.ts'],
    ['src\\win\\a.ts', null, 'src/win/a.ts'],
    [`${ROOT}/src/a.ts`, ROOT, 'src/a.ts'],
    [`file://${ROOT}/src/a%20b.ts`, `${ROOT}/`, 'src/a b.ts'],
    [`${ROOT}-other/src/a.ts`, ROOT, null],
    ['/abs/a.ts', null, null],
    ['a/../b.ts', null, null],
    ['node:internal/x', null, null],
  ])('%s (root %s) → %s', (raw, root, expected) => {
    expect(relativePath(raw, root)).toBe(expected);
  });
});

describe('gateOutputAnnotations: a gate output at the level its outcome gives', () => {
  const tail = 'src/a.ts(12,5): error TS2322: Type string is not assignable to type number.';
  it('annotates failed and timed-out gates as the tool says, and nothing of a gate that passed', () => {
    for (const outcome of ['failed', 'timeout'] as const) {
      expect(gateAnnotationLevel({ outcome })).toBe('failure');
      const found = gateOutputAnnotations(gate({ outcome, tail }), 50, null);
      expect(found).toMatchObject([{ path: 'src/a.ts', startLine: 12, level: 'failure' }]);
    }
    expect(gateAnnotationLevel({ outcome: 'passed' })).toBeNull();
    expect(gateOutputAnnotations(gate({ outcome: 'passed', tail }), 50, null)).toEqual([]);
  });

  it("only warns of a pre-existing gate's errors: the base fails them too", () => {
    expect(gateAnnotationLevel({ outcome: 'pre_existing' })).toBe('warning');
    const found = gateOutputAnnotations(gate({ outcome: 'pre_existing', tail }), 50, null);
    expect(found).toMatchObject([{ path: 'src/a.ts', level: 'warning' }]);
  });
});
