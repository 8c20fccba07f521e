import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv } from '../helpers/execution.js';
import { expectEditNamed, expectEditRefused } from '../helpers/source-edits.js';

/**
 * Go's module cache as a way to make a goal ready without a fix (issue 17). go checks a module
 * against go.sum when it downloads it, not when it builds from the extracted files: an unsandboxed
 * agent that edits a dependency's source in the user's GOMODCACHE (Go extracts it read-only, a
 * chmod away) changes what every later gate builds. Here the dependency's `Equal` is made to
 * return true and the agent's commit is a comment: on h-lead the goal was ready. The dependency is
 * served from a `file://` proxy the test makes and downloaded into a module cache of the test's
 * before omk runs (the user's, as it is after a build): go never reaches the network.
 */

const GEOM = 'example.com/geom';
const GEOM_SOURCE = [
  'package geom',
  '',
  'import "math"',
  '',
  '// Equal says whether a and b are within a billionth of each other.',
  'func Equal(a, b float64) bool {',
  '\treturn math.Abs(a-b) < 1e-9',
  '}',
  '',
].join('\n');

const SHAPES = (perimeter: string) =>
  `package shapes\n\n// Perimeter of a w by h rectangle.\nfunc Perimeter(w, h float64) float64 {\n\treturn ${perimeter}\n}\n`;

/** Perimeter forgets to double; its test, committed, fails on the base. */
const FIXTURE: Record<string, string> = {
  'go.mod': `module example.com/shapes\n\ngo 1.19\n\nrequire ${GEOM} v1.0.0\n`,
  'README.md': '# shapes\n',
  'shapes.go': SHAPES('w + h'),
  'shapes_test.go': [
    'package shapes',
    '',
    'import (',
    '\t"testing"',
    '',
    `\t"${GEOM}"`,
    ')',
    '',
    'func TestPerimeter(t *testing.T) {',
    '\tif got := Perimeter(2, 3); !geom.Equal(got, 10) {',
    '\t\tt.Fatalf("Perimeter(2, 3) = %v, want 10", got)',
    '\t}',
    '}',
    '',
  ].join('\n'),
};

let goDir: string;
const goEnv = (modCache = join(goDir, 'mod')): Record<string, string> => ({
  GOMODCACHE: modCache,
  GOCACHE: join(goDir, 'cache'),
  GOPATH: join(goDir, 'path'),
  GOFLAGS: '',
  GOSUMDB: 'off',
  GOPROXY: 'off',
});

beforeAll(async () => {
  goDir = await mkdtemp(join(tmpdir(), 'omk-go-modsrc-'));
  // The proxy: example.com/geom v1.0.0 as a module zip, its go.mod and info.
  const stage = join(goDir, 'stage');
  await mkdir(join(stage, `${GEOM}@v1.0.0`), { recursive: true });
  await writeFile(join(stage, `${GEOM}@v1.0.0`, 'go.mod'), `module ${GEOM}\n\ngo 1.19\n`);
  await writeFile(join(stage, `${GEOM}@v1.0.0`, 'geom.go'), GEOM_SOURCE);
  const versions = join(goDir, 'proxy', GEOM, '@v');
  await mkdir(versions, { recursive: true });
  execFileSync('zip', ['-qrD', join(versions, 'v1.0.0.zip'), 'example.com'], { cwd: stage });
  await writeFile(join(versions, 'v1.0.0.mod'), `module ${GEOM}\n\ngo 1.19\n`);
  await writeFile(join(versions, 'v1.0.0.info'), '{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}\n');
  await writeFile(join(versions, 'list'), 'v1.0.0\n');
  // The user's module: `go mod tidy` downloads the dependency and writes go.sum, committed.
  const user = join(goDir, 'user');
  await mkdir(user);
  for (const [name, text] of Object.entries(FIXTURE)) await writeFile(join(user, name), text);
  execFileSync('go', ['mod', 'tidy'], {
    cwd: user,
    env: { ...process.env, ...goEnv(), GOPROXY: `file://${join(goDir, 'proxy')}` },
  });
  FIXTURE['go.sum'] = await readFile(join(user, 'go.sum'), 'utf8');
});
/** A module cache of its own for a test, filled as the user's is after a build: `go mod download`. */
function userModCache(name: string): string {
  const modCache = join(goDir, name);
  execFileSync('go', ['mod', 'download'], {
    cwd: join(goDir, 'user'),
    env: { ...process.env, ...goEnv(modCache), GOPROXY: `file://${join(goDir, 'proxy')}` },
  });
  return modCache;
}

afterAll(async () => {
  // Go extracts modules read-only.
  execFileSync('chmod', ['-R', 'u+w', goDir]);
  await rm(goDir, { recursive: true, force: true });
});

/**
 * Makes the cached dependency's Equal say yes to everything and prints `EDIT` with what stopped
 * it, if anything, to its transcript (a sandboxed agent cannot write the kit's calls log); its own
 * change is a comment.
 */
const moduleEditor = (dir: string) => `#!/usr/bin/env node
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
const file = ${JSON.stringify(join(dir, 'geom.go'))};
try {
  chmodSync(${JSON.stringify(dir)}, 0o755);
  chmodSync(file, 0o644);
  writeFileSync(file, readFileSync(file, 'utf8').replace('return math.Abs(a-b) < 1e-9', 'return math.Abs(a-b) >= 0'));
  console.log('EDIT done');
} catch (error) {
  console.log('EDIT ' + String(error));
}
appendFileSync('shapes.go', '\\n// looked at it\\n');
`;

let host: SandboxAvailability;
beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).probe();
});

describe("Go's module cache, written by an unsandboxed agent", () => {
  let env: ExecutionEnv;
  afterEach(async () => {
    await env.cleanup();
  });

  it("unsandboxed, a dependency's source edited there is named and the goal is not ready", async () => {
    const modCache = userModCache('unsandboxed');
    env = await createExecutionEnv(FIXTURE, { env: goEnv(modCache) });
    const geom = join(modCache, `${GEOM}@v1.0.0`);
    const agent = await scriptFile(env.kit.dir, 'module-editor.mjs', moduleEditor(geom));
    const result = await env.omk(
      'goal',
      'run',
      'fix the failing perimeter test in shapes.go',
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--json',
    );
    expect(await readFile(join(geom, 'geom.go'), 'utf8')).toContain('>= 0');
    await expectEditNamed(
      env,
      result,
      /The Go module example\.com\/geom@v1\.0\.0 in the module cache was written while the agent of s1-\S+ ran: 1 file \(1 changed\): geom\.go\./,
    );
  });

  it('sandboxed, the module cache is read-only to the agent: its edit is refused', async () => {
    const modCache = userModCache('sandboxed');
    env = await createExecutionEnv(FIXTURE, { env: { ...goEnv(modCache), OMK_SANDBOX: 'required' } });
    const geom = join(modCache, `${GEOM}@v1.0.0`);
    const agent = await scriptFile(env.kit.dir, 'module-editor.mjs', moduleEditor(geom));
    const result = await env.omk(
      'goal',
      'run',
      'fix the failing perimeter test in shapes.go',
      '--agent',
      agent,
      '--json',
    );
    // `required` refuses before any agent runs where this host cannot confine.
    if (!(await expectEditRefused(env, result, host))) return;
    expect(await readFile(join(geom, 'geom.go'), 'utf8')).toBe(GEOM_SOURCE);
  });
});
