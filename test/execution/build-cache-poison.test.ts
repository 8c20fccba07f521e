import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { BUGGY_CALC, calcLib, RUST_ENV } from '../helpers/rust-crate.js';

/**
 * The goal's build cache (CARGO_TARGET_DIR, shared by its worktrees' gates) as a way to make a
 * goal ready without a fix (issue 17). The agent builds a fixed crate's test binary into the
 * goal's cargo target directory, dates its fingerprints in the future and leaves the bug in place
 * (a comment added): cargo takes the planted binary as fresh for the slice's checkout, and its
 * `cargo test` gate runs it instead of the committed code (on main the slice's gates all passed).
 * Unsandboxed the write is named by the agent run's check of the cache; sandboxed the agent cannot
 * write the cache at all. No dependencies: cargo never reaches the network.
 */

/**
 * The worktree is <state>/worktrees/<goal>/<slice>; the goal's cache <state>/cache/<goal>. Prints
 * `POISON` with how its cargo build into the cache ended (to its transcript: a sandboxed agent
 * cannot write the test's calls log).
 */
const POISONER = `#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
const goalDir = dirname(process.cwd());
const target = join(dirname(dirname(goalDir)), 'cache', basename(goalDir), 'cargo-target');
writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a + b'))});
const built = spawnSync('cargo', ['test', '--no-run'], {
  env: { ...process.env, CARGO_TARGET_DIR: target, CARGO_TERM_COLOR: 'never' },
  encoding: 'utf8',
});
rmSync('Cargo.lock', { force: true });
console.log('POISON ' + JSON.stringify({ status: built.status, stderr: String(built.stderr).slice(-400) }));
writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a - b', '// fixed\n\n'))});
// omk dates the worktree's files now before each cargo gate: the build must look newer still.
const later = new Date(Date.now() + 365 * 24 * 3600 * 1000);
const future = (path) => {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) future(child);
    utimesSync(child, later, later);
  }
};
if (built.status === 0) future(target);
`;

let host: SandboxAvailability;
let env: ExecutionEnv;

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).probe();
});

afterEach(async () => {
  await env.cleanup();
});

async function poisoned(sandbox: 'off' | 'required') {
  env = await createExecutionEnv(BUGGY_CALC, { env: { ...RUST_ENV, OMK_SANDBOX: sandbox } });
  const agent = join(env.kit.dir, 'poisoner.mjs');
  await writeFile(agent, POISONER);
  await chmod(agent, 0o755);
  const result = await env.omk(
    'goal',
    'run',
    'fix add in src/lib.rs',
    '--agent',
    `script:${agent}`,
    '--json',
  );
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  const events = await env.events(id);
  return {
    proof: await env.proof(id),
    poison: await poisonLine(env.goalDir(id)),
    result,
    /** The slice's gates on its first attempt's commit. */
    sliceGates: eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)[0],
  };
}

/** What the agent's first attempt printed about its build into the cache. */
async function poisonLine(goalDir: string): Promise<{ status: number | null; stderr: string } | null> {
  const root = join(goalDir, 'artifacts', 'agent-runs');
  for (const task of await readdir(root)) {
    const text = await readFile(join(root, task, 'transcript-1.log'), 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.startsWith('POISON '));
    if (line !== undefined)
      return JSON.parse(line.slice('POISON '.length)) as { status: number | null; stderr: string };
  }
  return null;
}

describe("the goal's build cache, written by the agent", () => {
  it('unsandboxed: the planted test binary is named and the goal is not ready', async () => {
    const { proof, poison, sliceGates } = await poisoned('off');
    // The agent's build into the cache worked, and the slice's `cargo test` ran the planted binary.
    expect(poison, JSON.stringify(poison)).toMatchObject({ status: 0 });
    expect(sliceGates).toContain('test:passed');
    expect(proof.status).not.toBe('ready');
    const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
    expect(gaps.join('\n')).toMatch(
      /goal's build cache \(cache\/[^)]+\) was written while the agent of \S+ ran: \d+ files \(\d+ added/,
    );
    expect(gaps.join('\n')).toContain('cargo-target/debug/');
  });

  it('sandboxed: the cache is read-only to the agent, so the gate builds the committed code', async () => {
    if (!host.available) {
      // `required` refuses before any agent runs where this host cannot confine.
      const { result } = await poisoned('required');
      expect(result.code).not.toBe(0);
      return;
    }
    const { proof, poison, sliceGates } = await poisoned('required');
    expect(poison?.status, JSON.stringify(poison)).not.toBe(0);
    expect(poison?.stderr).toMatch(/Read-only file system/);
    // The committed test still fails, as on the base: the gate built the committed code.
    expect(sliceGates, JSON.stringify(sliceGates)).toContain('test:pre_existing');
    expect(proof.status).not.toBe('ready');
  });
});
