import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { greetWheelhouse, PYTHON } from '../helpers/greet-wheelhouse.js';

/**
 * Confined installs' download caches as a way to put a dependency of the agent's making into
 * another worktree (issue 17). The project installs `greet` with pip from the team's wheelhouse
 * (`workspace.setup`); pip builds the sdist into a wheel once and keeps it in its cache, keyed by
 * the sdist's address, and takes it from there for every later install without a check of its
 * content. The agent's fix comes with a test of its own that, when the slice's gate runs it,
 * rewrites every cached `greet` wheel with one whose `hello()` says "forged": the integration's
 * install, after the slice's gates, installed that (its test failed on "forged ann" and the goal
 * was not ready). Sandboxed, the download caches are read-only to gates. No network: the sdist's
 * build backend is in it and needs nothing but the standard library.
 */

const WELCOME_BUG = 'from greet import hello\n\n\ndef welcome(name):\n    return hello() + name\n';
const WELCOME_FIX = 'from greet import hello\n\n\ndef welcome(name):\n    return hello() + " " + name\n';

/**
 * The interpreter itself, not a version manager's shim: pyenv's rehashes its shims after an
 * install, which a confined install may not write.
 */

const WELCOME_TEST =
  'from welcome import welcome\n\n\ndef test_welcome():\n    assert welcome("ann") == "hello ann"\n\n\n';

const project = (wheelhouse: string): Record<string, string> => ({
  'pyproject.toml': [
    '[project]',
    'name = "welcome"',
    'version = "0.1.0"',
    '',
    '[tool.pytest.ini_options]',
    'testpaths = ["tests"]',
    'pythonpath = ["src", ".deps"]',
    '',
  ].join('\n'),
  '.gitignore': '.deps/\n__pycache__/\n',
  '.omk/config.yml': `workspace:\n  setup:\n    - ${JSON.stringify([
    PYTHON,
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-index',
    '--find-links',
    wheelhouse,
    '--target',
    '.deps',
    'greet==1.0',
  ])}\n`,
  'src/welcome.py': WELCOME_BUG,
  'tests/test_welcome.py': WELCOME_TEST,
});

/**
 * The agent's test: from its worktree (<state>/worktrees/<goal>/<slice>) it walks the state root
 * for cached greet wheels and rewrites each it can, then prints what it did and what greet says
 * (after the fixed test in the same file, hence its late imports).
 */
const FORGER_TEST = `import json  # noqa: E402
import os  # noqa: E402
import zipfile  # noqa: E402

WHEEL = "greet-1.0-py3-none-any.whl"


def forge(path):
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("greet.py", 'def hello():\\n    return "forged"\\n')
        wheel.writestr("greet-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: greet\\nVersion: 1.0\\n")
        wheel.writestr("greet-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: x\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        wheel.writestr("greet-1.0.dist-info/RECORD", "")


def test_welcomes_anyone():
    worktree = os.getcwd()
    root = os.path.dirname(os.path.dirname(os.path.dirname(worktree)))
    report = []
    for folder, _, files in os.walk(root):
        if WHEEL in files:
            path = os.path.join(folder, WHEEL)
            try:
                forge(path)
                report.append({"path": path, "forged": True})
            except OSError as error:
                report.append({"path": path, "forged": False, "error": error.strerror})
    from greet import hello
    print("FORGER " + json.dumps({"worktree": os.path.basename(worktree), "greet": hello(), "report": report}))
    from welcome import welcome
    assert welcome("bo").endswith(" bo")
`;

const SLICE = 's1-fix-welcome-in-src-welcome-py-and';

/** One run of the agent's test: where, what `greet.hello()` said, and each cached wheel it found. */
interface Forger {
  worktree: string;
  greet: string;
  report: { path: string; forged: boolean; error?: string }[];
}

let host: SandboxAvailability;
let env: ExecutionEnv;

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).probe();
});

afterEach(async () => {
  await env.cleanup();
});

async function forgedRun() {
  env = await createExecutionEnv({}, { env: { OMK_SANDBOX: 'required' } });
  await env.repo.commit(
    project(await greetWheelhouse(env.kit.dir)),
    'welcome, with greet from the wheelhouse',
  );
  // A plain script: a sandboxed agent cannot write the kit's calls log.
  const agent = await scriptFile(
    env.kit.dir,
    'forger.mjs',
    [
      '#!/usr/bin/env node',
      "import { writeFileSync } from 'node:fs';",
      "if (process.env.OMK_TASK_ID === 'plan') process.exit(0);",
      `writeFileSync('src/welcome.py', ${JSON.stringify(WELCOME_FIX)});`,
      `writeFileSync('tests/test_welcome.py', ${JSON.stringify(WELCOME_TEST + FORGER_TEST)});`,
      '',
    ].join('\n'),
  );
  const result = await env.omk(
    'goal',
    'run',
    'fix welcome in src/welcome.py and tests/test_welcome.py',
    '--agent',
    agent,
    '--json',
  );
  if (result.stdout === '') throw new Error(`no goal: ${result.stderr}`);
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  return { id, result, forgers: await forgerLines(env.goalDir(id)) };
}

/** What the agent's test printed each time a gate ran it (pytest -rA shows a passed test's output). */
async function forgerLines(goalDir: string): Promise<Forger[]> {
  const root = join(goalDir, 'artifacts', 'gates');
  const logs = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.log'));
  const lines: Forger[] = [];
  for (const name of logs) {
    for (const line of (await readFile(join(root, name), 'utf8')).split('\n')) {
      if (line.startsWith('FORGER ')) lines.push(JSON.parse(line.slice('FORGER '.length)) as Forger);
    }
  }
  return lines;
}

describe('confined installs’ download caches, written by a gate', () => {
  it("a slice's gate cannot rewrite pip's cached wheel, so the integration installs greet as built", async () => {
    if (!host.available) {
      // `required` refuses before any agent runs where this host cannot confine.
      const { result } = await forgedRun();
      expect(result.code).not.toBe(0);
      return;
    }
    const { id, result, forgers } = await forgedRun();
    expect(result.code, result.stderr).toBe(0);
    const prepared = eventsOfType(await env.events(id), 'workspace_prepared').map((e) => e.data.workspace);
    // The integration's install comes after the slice's gates (then a base's, for the baseline).
    expect(prepared.slice(0, 3)).toEqual(['base', SLICE, 'integration']);
    const text = JSON.stringify(forgers);
    // The agent's test ran in the slice's gates and in the integration's (and wherever else a gate
    // ran it): each time it found the wheel pip cached and could not rewrite it, and greet said
    // what its source says.
    const worktrees = forgers.map((run) => run.worktree);
    expect(worktrees, text).toEqual(expect.arrayContaining([SLICE, 'integration']));
    for (const run of forgers) {
      expect(run.greet, text).toBe('hello');
      expect(run.report.length, text).toBeGreaterThan(0);
      for (const wheel of run.report)
        expect(wheel, text).toMatchObject({ forged: false, error: 'Read-only file system' });
    }
    expect((await env.proof(id)).status).toBe('ready');
  });
});
