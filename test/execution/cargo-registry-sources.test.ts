import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv } from '../helpers/execution.js';
import { RUST_ENV } from '../helpers/rust-crate.js';
import { expectEditNamed, expectEditRefused } from '../helpers/source-edits.js';

/**
 * Cargo's extracted registry sources as a way to make a goal ready without a fix (issue 17).
 * Cargo checks a crate's checksum (and `.cargo-ok`) when it extracts the `.crate` into
 * `$CARGO_HOME/registry/src/<index-dir>/<name>-<version>`, not when it builds from there: an
 * unsandboxed agent that edits a dependency's source there changes what every later gate builds,
 * with a fresh target directory too. Here the dependency's `equal` is made to say yes and the
 * agent's commit is a comment: on h-lead the goal was ready. The dependency comes from a local
 * registry (`.crate` files and an index, which cargo extracts as it does crates.io's) that replaces
 * crates.io in a CARGO_HOME of the test's own: Cargo.lock names crates.io, with a checksum, and
 * cargo never reaches the network. The user's ~/.cargo is not touched.
 */

const NEARLY_LIB = 'pub fn equal(a: f64, b: f64) -> bool {\n    (a - b).abs() < 1e-9\n}\n';

/** `perimeter` forgets to double; its test, committed, fails on the base. */
const FIXTURE: Record<string, string> = {
  'Cargo.toml':
    '[package]\nname = "shapes"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nnearly = "1.0"\n',
  '.gitignore': '/target\n',
  'src/lib.rs': [
    '/// Perimeter of a w by h rectangle.',
    'pub fn perimeter(w: f64, h: f64) -> f64 {',
    '    w + h',
    '}',
    '',
    '#[cfg(test)]',
    'mod tests {',
    '    #[test]',
    '    fn perimeter() {',
    '        assert!(nearly::equal(super::perimeter(2.0, 3.0), 10.0));',
    '    }',
    '}',
    '',
  ].join('\n'),
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-cargo-regsrc-'));
  // The registry: nearly 1.0.0 as a .crate (a tar.gz of nearly-1.0.0/) and its index line.
  const stage = join(dir, 'stage');
  await mkdir(join(stage, 'nearly-1.0.0', 'src'), { recursive: true });
  await writeFile(
    join(stage, 'nearly-1.0.0', 'Cargo.toml'),
    '[package]\nname = "nearly"\nversion = "1.0.0"\nedition = "2021"\n',
  );
  await writeFile(join(stage, 'nearly-1.0.0', 'src', 'lib.rs'), NEARLY_LIB);
  const registry = join(dir, 'registry');
  await mkdir(join(registry, 'index', 'ne', 'ar'), { recursive: true });
  const crate = join(registry, 'nearly-1.0.0.crate');
  execFileSync('tar', ['czf', crate, 'nearly-1.0.0'], { cwd: stage });
  const cksum = createHash('sha256')
    .update(await readFile(crate))
    .digest('hex');
  const entry = { name: 'nearly', vers: '1.0.0', deps: [], cksum, features: {}, yanked: false };
  await writeFile(join(registry, 'index', 'ne', 'ar', 'nearly'), `${JSON.stringify(entry)}\n`);
  // The user's crate: `cargo fetch` writes Cargo.lock, committed.
  const user = join(dir, 'user');
  await mkdir(join(user, 'src'), { recursive: true });
  for (const [name, text] of Object.entries(FIXTURE)) await writeFile(join(user, name), text);
  await userCargoHome('lock');
  FIXTURE['Cargo.lock'] = await readFile(join(user, 'Cargo.lock'), 'utf8');
});

/**
 * A CARGO_HOME of its own for a test, with the registry in crates.io's place, filled as the user's
 * is after a build: `cargo fetch` extracts the dependency into `registry/src`.
 */
async function userCargoHome(name: string): Promise<string> {
  const cargoHome = join(dir, name);
  await mkdir(cargoHome);
  await writeFile(
    join(cargoHome, 'config.toml'),
    `[source.crates-io]\nreplace-with = "local"\n\n[source.local]\nlocal-registry = ${JSON.stringify(join(dir, 'registry'))}\n`,
  );
  execFileSync('cargo', ['fetch'], {
    cwd: join(dir, 'user'),
    env: { ...process.env, ...RUST_ENV, CARGO_HOME: cargoHome },
  });
  return cargoHome;
}

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The extracted source of nearly 1.0.0: `registry/src/<index-dir>/nearly-1.0.0`, the one there. */
async function extracted(cargoHome: string): Promise<string> {
  const src = join(cargoHome, 'registry', 'src');
  const [indexDir] = await readdir(src);
  return join(src, indexDir ?? '', 'nearly-1.0.0');
}

/**
 * Makes the extracted dependency's `equal` say yes to everything and prints `EDIT` with what
 * stopped it, if anything, to its transcript; its own change is a comment and dependencies built
 * with some optimisation, which makes cargo build them again in the goal's target directory (it
 * does not look at a registry crate's files once built): from the edit.
 */
const crateEditor = (lib: string) => `#!/usr/bin/env node
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
const file = ${JSON.stringify(lib)};
try {
  writeFileSync(file, readFileSync(file, 'utf8').replace('(a - b).abs() < 1e-9', '(a - b).abs() >= 0.0'));
  console.log('EDIT done');
} catch (error) {
  console.log('EDIT ' + String(error));
}
appendFileSync('src/lib.rs', '\\n// looked at it\\n');
appendFileSync('Cargo.toml', '\\n[profile.dev.package."*"]\\nopt-level = 1\\n');
`;

let host: SandboxAvailability;
beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).probe();
});

describe("Cargo's registry sources, written by an unsandboxed agent", () => {
  let env: ExecutionEnv;
  afterEach(async () => {
    await env.cleanup();
  });

  it("unsandboxed, a dependency's extracted source edited there is named and the goal is not ready", async () => {
    const cargoHome = await userCargoHome('unsandboxed');
    env = await createExecutionEnv(FIXTURE, { env: { ...RUST_ENV, CARGO_HOME: cargoHome } });
    const lib = join(await extracted(cargoHome), 'src', 'lib.rs');
    const agent = await scriptFile(env.kit.dir, 'crate-editor.mjs', crateEditor(lib));
    const result = await env.omk(
      'goal',
      'run',
      'fix the failing perimeter test in src/lib.rs and Cargo.toml',
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--json',
    );
    expect(await readFile(lib, 'utf8')).toContain('>= 0.0');
    await expectEditNamed(
      env,
      result,
      /The crate nearly@1\.0\.0 in cargo's registry sources was written while the agent of s1-\S+ ran: 1 file \(1 changed\): src\/lib\.rs\./,
    );
  });

  it('sandboxed, CARGO_HOME is read-only to the agent: its edit is refused', async () => {
    const cargoHome = await userCargoHome('sandboxed');
    env = await createExecutionEnv(FIXTURE, {
      env: { ...RUST_ENV, CARGO_HOME: cargoHome, OMK_SANDBOX: 'required' },
    });
    const lib = join(await extracted(cargoHome), 'src', 'lib.rs');
    const agent = await scriptFile(env.kit.dir, 'crate-editor.mjs', crateEditor(lib));
    const result = await env.omk(
      'goal',
      'run',
      'fix the failing perimeter test in src/lib.rs and Cargo.toml',
      '--agent',
      agent,
      '--json',
    );
    // `required` refuses before any agent runs where this host cannot confine.
    if (!(await expectEditRefused(env, result, host))) return;
    expect(await readFile(lib, 'utf8')).toBe(NEARLY_LIB);
  });
});
