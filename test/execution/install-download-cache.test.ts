import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { greetWheelhouse, PYTHON } from '../helpers/greet-wheelhouse.js';

/**
 * A slice's install as a way to put a dependency of the agent's making into the integrated tree
 * (issue 17). The project installs `greet` with pip from the team's wheelhouse, then itself, with
 * a build backend of its own that reads the version from `src/welcome.py` (`workspace.setup`). The
 * first slice fixes `welcome` and makes its `version()` rewrite every cached `greet` wheel it
 * finds; the second slice starts from the first's commit, so its install runs that code. pip
 * builds greet's sdist into a wheel once, keeps it in its cache and installs it from there for
 * every later install without a check of its content: before, the integration's install shared
 * that cache (the goal's download cache confined, the user's unconfined), installed the forged
 * greet and its test failed on "forged ann". No network: both backends use
 * the standard library only.
 */

/** The project's own backend: a wheel of src/welcome.py, its version read from the module. */
const WELCOME_BACKEND = `"""The project's build backend: its version is welcome.version()."""
import os
import sys
import zipfile


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    sys.path.insert(0, os.path.join(os.getcwd(), "src"))
    import welcome

    version = welcome.version()
    filename = "welcome-" + version + "-py3-none-any.whl"
    info = "welcome-" + version + ".dist-info/"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        wheel.write("src/welcome.py", "welcome.py")
        wheel.writestr(info + "METADATA", "Metadata-Version: 2.1\\nName: welcome\\nVersion: " + version + "\\n")
        wheel.writestr(info + "WHEEL", "Wheel-Version: 1.0\\nGenerator: backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        wheel.writestr(info + "RECORD", "")
    return filename
`;

const VERSION = '\n\ndef version():\n    return "0.1.0"\n';
// greet is imported when called: the build backend imports the module before greet is there.
const WELCOME_BUG = `def welcome(name):\n    from greet import hello\n\n    return hello() + name\n${VERSION}`;
const WELCOME_FIX = 'def welcome(name):\n    from greet import hello\n\n    return hello() + " " + name\n';

/**
 * The fix's `version()`, which only the build backend calls: from the worktree being installed
 * (<state>/worktrees/<goal>/<slice>) it walks the state root (omk's HOME here, so the user's pip
 * cache too) for cached greet wheels, rewrites each it can and prints what it did.
 */
const FORGING_VERSION = `

def version():
    import json
    import os
    import zipfile

    wheel_name = "greet-1.0-py3-none-any.whl"
    worktree = os.getcwd()
    root = os.path.dirname(os.path.dirname(os.path.dirname(worktree)))
    report = []
    for folder, _, files in os.walk(root):
        if wheel_name not in files:
            continue
        path = os.path.join(folder, wheel_name)
        try:
            with zipfile.ZipFile(path, "w") as wheel:
                wheel.writestr("greet.py", 'def hello():\\n    return "forged"\\n')
                wheel.writestr("greet-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: greet\\nVersion: 1.0\\n")
                wheel.writestr("greet-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: x\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                wheel.writestr("greet-1.0.dist-info/RECORD", "")
            report.append({"path": os.path.relpath(path, root), "forged": True})
        except OSError as error:
            report.append({"path": os.path.relpath(path, root), "forged": False, "error": error.strerror})
    print("FORGER " + json.dumps({"worktree": os.path.basename(worktree), "report": report}), flush=True)
    return "0.1.0"
`;

const WELCOME_TEST =
  'from welcome import welcome\n\n\ndef test_welcome():\n    assert welcome("ann") == "hello ann"\n';
const REGRESSION_TEST =
  'from welcome import welcome\n\n\ndef test_welcome_bo():\n    assert welcome("bo") == "hello bo"\n';

/**
 * The interpreter itself, not a version manager's shim: pyenv's rehashes its shims after an
 * install, which a confined install may not write.
 */

const pip = (...args: string[]) =>
  JSON.stringify([PYTHON, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-index', ...args]);

const project = (wheelhouse: string): Record<string, string> => ({
  'pyproject.toml': [
    '[build-system]',
    'requires = []',
    'build-backend = "backend"',
    'backend-path = ["."]',
    '',
    '[project]',
    'name = "welcome"',
    'version = "0.1.0"',
    '',
    '[tool.pytest.ini_options]',
    'testpaths = ["tests"]',
    'pythonpath = ["src", ".deps"]',
    '',
  ].join('\n'),
  'backend.py': WELCOME_BACKEND,
  '.gitignore': '.deps/\n.build/\n__pycache__/\n',
  '.omk/config.yml': [
    'workspace:',
    '  setup:',
    `    - ${pip('--find-links', wheelhouse, '--target', '.deps', 'greet==1.0')}`,
    // Verbose: pip shows what the backend printed.
    `    - ${pip('-v', '--no-deps', '--upgrade', '--target', '.build', '.')}`,
    '',
  ].join('\n'),
  'src/welcome.py': WELCOME_BUG,
  'tests/test_welcome.py': WELCOME_TEST,
});

const GOAL = 'fix welcome in src/welcome.py and add a regression test';
const FIX = 's1-fix-welcome-in-src-welcome-py';
const REGRESSION = 's2-add-a-regression-test';

/** One run of the forging `version()`: in which worktree's install, and each cached wheel found. */
interface Forger {
  worktree: string;
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

async function forgedRun(sandbox: 'required' | 'off') {
  env = await createExecutionEnv({}, { env: { OMK_SANDBOX: sandbox } });
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
      'const task = process.env.OMK_TASK_ID ?? "";',
      `if (task.startsWith('s1-')) writeFileSync('src/welcome.py', ${JSON.stringify(WELCOME_FIX + FORGING_VERSION)});`,
      `if (task.startsWith('s2-')) writeFileSync('tests/test_regression.py', ${JSON.stringify(REGRESSION_TEST)});`,
      '',
    ].join('\n'),
  );
  // The heuristic plans (the forger writes no plan): no agent run for a plan.
  const result = await env.omk('goal', 'run', GOAL, '--agent', agent, '--no-llm-planner', '--json');
  if (result.stdout === '') throw new Error(`no goal: ${result.stderr}`);
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  const prepared = eventsOfType(await env.events(id), 'workspace_prepared').map((e) =>
    String(e.data.workspace),
  );
  return { id, result, prepared, forgers: await forgerLines(env.goalDir(id), prepared) };
}

/** What the forging `version()` printed in each worktree's install (pip -v shows it). */
async function forgerLines(goalDir: string, labels: readonly string[]): Promise<Forger[]> {
  const lines: Forger[] = [];
  for (const label of new Set(labels)) {
    const log = await readFile(join(goalDir, 'artifacts', 'prepare', `${label}.log`), 'utf8').catch(() => '');
    for (const line of log.split('\n')) {
      const at = line.indexOf('FORGER ');
      if (at >= 0) lines.push(JSON.parse(line.slice(at + 'FORGER '.length)) as Forger);
    }
  }
  return lines;
}

/**
 * The verdict: the goal is ready, and no gate's pytest saw a forged greet (before, the
 * integration's failed with `assert 'forged ann' == 'hello ann'`).
 */
async function expectNotFooled(id: string): Promise<void> {
  const root = join(env.goalDir(id), 'artifacts', 'gates');
  const logs = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.log'));
  const texts = await Promise.all(logs.map((name) => readFile(join(root, name), 'utf8')));
  expect(texts.filter((text) => text.includes('forged'))).toEqual([]);
  const proof = await env.proof(id);
  expect(proof.status).toBe('ready');
}

/** The wheels the second slice's install found, by where they are. */
function foundBy(forgers: readonly Forger[], worktree: string): Forger['report'] {
  return forgers.filter((run) => run.worktree === worktree).flatMap((run) => run.report);
}

describe("a slice's install and the download caches the integration's install reads", () => {
  it('confined: the integration installs greet from a download cache of its own', async () => {
    if (!host.available) {
      // `required` refuses before any agent runs where this host cannot confine.
      const { result } = await forgedRun('required');
      expect(result.code).not.toBe(0);
      return;
    }
    const { id, result, prepared, forgers } = await forgedRun('required');
    expect(result.code, result.stderr).toBe(0);
    expect(prepared.slice(0, 4)).toEqual(['base', FIX, REGRESSION, 'integration']);
    await expectNotFooled(id);
    const text = JSON.stringify(forgers);
    // The second slice's install ran the first slice's code and rewrote the slices' cached wheel;
    // the integration's own (the base's install built it) it could not write.
    const found = foundBy(forgers, REGRESSION);
    expect(found, text).toContainEqual({
      path: expect.stringMatching(/^cache\/[^.][^/]*\/downloads\/pip\//),
      forged: true,
    });
    expect(found, text).toContainEqual({
      path: expect.stringMatching(/^cache\/\.integration\/[^/]+\/downloads\/pip\//),
      forged: false,
      error: 'Read-only file system',
    });
  });

  it("unconfined: the integration's download cache, written by a slice's install, is emptied first", async () => {
    const { id, result, prepared, forgers } = await forgedRun('off');
    expect(result.code, result.stderr).toBe(0);
    expect(prepared.slice(0, 4)).toEqual(['base', FIX, REGRESSION, 'integration']);
    await expectNotFooled(id);
    const text = JSON.stringify(forgers);
    // Unconfined, it rewrote every cached wheel: the user's pip cache (omk's HOME here), which the
    // slices' installs use, and the integration's own.
    const found = foundBy(forgers, REGRESSION);
    expect(found, text).toContainEqual({ path: expect.stringMatching(/^\.cache\/pip\//), forged: true });
    expect(found, text).toContainEqual({
      path: expect.stringMatching(/^cache\/\.integration\/[^/]+\/downloads\/pip\//),
      forged: true,
    });
    expect(result.stderr).toMatch(
      /the integration's build cache changed since omk's last gate run or install there/,
    );
  });
});
