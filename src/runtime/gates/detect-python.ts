import { MAKEFILES } from './detect-make.js';
import { type DetectContext, type DetectedGate, type GateDetector, hasSection } from './detector.js';
import { declaredUnittest, PYTEST, TEST_REQUIREMENTS } from './python-unittest.js';

/** A python project: its packaging or requirements, or only its pytest or tox configuration. */
const MARKERS = /^(?:pyproject\.toml|setup\.cfg|setup\.py|requirements[^/]*\.txt|pytest\.ini|tox\.ini)$/;
const TEST_FILE = /(?:^|\/)(?:test_[^/]*|[^/]*_test|conftest)\.py$/;
/** `files = ...` in a mypy section means the project chose its targets; `mypy .` would override them. */
const MYPY_FILES = /^\s*files\s*=/m;

export const pythonDetector: GateDetector = {
  name: 'python',
  reads: ['pyproject.toml', 'setup.cfg', 'mypy.ini', 'tox.ini', ...MAKEFILES, ...TEST_REQUIREMENTS],
  detect(context) {
    if (!context.some((path) => MARKERS.test(path))) return [];
    const pyproject = context.read('pyproject.toml');
    const setupCfg = context.read('setup.cfg');
    const mypyIni = context.read('mypy.ini');
    const gates: DetectedGate[] = [];

    const ruffFile = ['ruff.toml', '.ruff.toml'].find((path) => context.has(path));
    if (ruffFile !== undefined || hasSection(pyproject, 'tool.ruff')) {
      const source = ruffFile ?? 'pyproject.toml [tool.ruff]';
      // `--no-fix`: a config's `fix = true` would make the check rewrite the tree it verifies and
      // pass where the committed code does not.
      gates.push({ name: 'lint', kind: 'lint', argv: ['ruff', 'check', '--no-fix', '.'], source });
    }

    const mypySource = context.has('mypy.ini')
      ? 'mypy.ini'
      : hasSection(pyproject, 'tool.mypy')
        ? 'pyproject.toml [tool.mypy]'
        : hasSection(setupCfg, 'mypy')
          ? 'setup.cfg [mypy]'
          : null;
    if (mypySource !== null) {
      const configured = [mypyIni, pyproject, setupCfg].some(
        (text) => text !== null && MYPY_FILES.test(text),
      );
      const argv = configured ? ['mypy'] : ['mypy', '.'];
      gates.push({ name: 'typecheck', kind: 'typecheck', argv, source: mypySource });
    }

    const unittest = declaredUnittest(context);
    if (unittest !== null) {
      // unittest reports each test's name only with -v (`test_x (tests.test_x.C.test_x) ... ok`).
      gates.push({ name: 'test', kind: 'test', argv: unittest.argv, source: unittest.source });
    }
    const pytestSource = unittest !== null ? null : pytestSourceOf(context, pyproject, setupCfg);
    if (pytestSource !== null) {
      // `python3 -m pytest` puts the checkout on sys.path, as most projects' tests expect. `-rA`
      // names every test in the summary; the JUnit report covers a run whose summary is lost.
      gates.push({
        name: 'test',
        kind: 'test',
        argv: ['python3', '-m', 'pytest'],
        source: pytestSource,
        report: { format: 'junit-xml', args: ['-rA', '--junitxml={file}'] },
      });
    }
    return gates;
  },
};

/** Where the project says pytest runs its tests, or that it has tests pytest finds; null: neither. */
function pytestSourceOf(
  context: DetectContext,
  pyproject: string | null,
  setupCfg: string | null,
): string | null {
  if (context.has('pytest.ini')) return 'pytest.ini';
  if (hasSection(pyproject, 'tool.pytest')) return 'pyproject.toml [tool.pytest]';
  if (hasSection(setupCfg, 'tool:pytest')) return 'setup.cfg [tool:pytest]';
  const toxIni = context.has('tox.ini') ? context.read('tox.ini') : null;
  if (hasSection(toxIni, 'pytest')) return 'tox.ini [pytest]';
  // tox installs or runs pytest (`deps = pytest`, `commands = pytest {posargs}`).
  if (toxIni !== null && PYTEST.test(toxIni)) return 'tox.ini (pytest)';
  return context.some((path) => TEST_FILE.test(path)) ? 'python test files' : null;
}
