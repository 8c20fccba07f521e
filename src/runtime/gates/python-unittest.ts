import { MAKEFILES } from './detect-make.js';
import type { DetectContext } from './detector.js';

/** Where a project declares its test command, in the order omk looks. */
const DECLARING = ['tox.ini', 'pyproject.toml', 'setup.cfg', ...MAKEFILES];
/** Requirement files that list a project's test tools: pytest there means pytest runs the tests. */
export const TEST_REQUIREMENTS = [
  'requirements.txt',
  'requirements-dev.txt',
  'requirements_dev.txt',
  'requirements-test.txt',
  'requirements_test.txt',
  'dev-requirements.txt',
  'test-requirements.txt',
];
/** `python -m unittest …`, `coverage run -m unittest`, `python -munittest`; the rest of the line after. */
const PLAIN = /-m\s*unittest\b(.*)$/m;
/** The TOML array form tox 4 reads from pyproject.toml: `["python", "-m", "unittest", …]`. */
const ARRAY = /["']-m["']\s*,\s*["']unittest["']/;
/** Any mention of pytest (a dependency, a command, a config section): the project uses pytest. */
export const PYTEST = /\b(?:py\.?test)\b/;
/** pytest's own files: a pytest.ini, or a conftest.py anywhere. */
const PYTEST_FILE = /(?:^|\/)(?:conftest\.py|pytest\.ini)$/;
/** An argument omk passes on as written: no variable, substitution, quoting inside or operator. */
const PLAIN_ARG = /^[\w./*=:,+@%-]+$/;
/** Options that would hide the per-test lines, or that are added anyway. */
const DROPPED = /^(?:-q|-v|--quiet|--verbose)$/;

export interface DeclaredUnittest {
  argv: string[];
  source: string;
}

/**
 * The test gate of a project that runs its tests with the standard library's unittest: a file
 * that declares its commands (tox, a Makefile) runs `-m unittest`, and neither those files nor
 * pyproject.toml, setup.cfg or a requirements file of its tools mention pytest, nor is there a
 * pytest.ini or conftest.py. Its arguments are kept up to the first one omk cannot pass without
 * a shell (`{posargs}`, `$(ARGS)`, `&&`), with `-v` last so unittest names every test. Null:
 * pytest (or nothing) runs the tests.
 */
export function declaredUnittest(context: DetectContext): DeclaredUnittest | null {
  if (context.some((path) => PYTEST_FILE.test(path))) return null;
  const read = (path: string) => [path, context.has(path) ? context.read(path) : null] as const;
  const texts = DECLARING.map(read);
  const mentions = [...texts, ...TEST_REQUIREMENTS.map(read)];
  if (mentions.some(([, text]) => text !== null && PYTEST.test(text))) return null;
  for (const [path, text] of texts) {
    if (text === null) continue;
    const plain = PLAIN.exec(text);
    const args = plain !== null ? unittestArgs(plain[1] ?? '') : ARRAY.test(text) ? [] : null;
    if (args !== null)
      return { argv: ['python3', '-m', 'unittest', ...args, '-v'], source: `${path} (-m unittest)` };
  }
  return null;
}

/** The arguments after `-m unittest` that run as written, without the ones that set verbosity. */
function unittestArgs(rest: string): string[] {
  const args: string[] = [];
  for (const raw of rest.trim().split(/\s+/).filter(Boolean)) {
    const arg =
      /^'([^']*)'$|^"([^"]*)"$/
        .exec(raw)
        ?.slice(1)
        .find((part) => part !== undefined) ?? raw;
    if (!PLAIN_ARG.test(arg)) break;
    if (!DROPPED.test(arg)) args.push(arg);
  }
  return args;
}
