import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { BUGGY_CALC, calcLib, RUST_ENV } from '../../../test/helpers/rust-crate.js';
import type { RunnableGate } from '../../runtime/gates/detector.js';
import { ownSourcesVerify } from '../../runtime/gates/own-sources.js';
import type { GateRunContext } from '../../runtime/gates/port.js';
import { createGateVerifier } from '../../runtime/gates/verify.js';
import { runProcess } from '../process/run-process.js';
import { dateTrackedNow } from './date-tracked.js';

// Two worktrees of one crate sharing one CARGO_TARGET_DIR, as a goal's slices do: the gates omk
// runs in one must test that worktree's code, whatever the other built there last.
const verify = ownSourcesVerify(createGateVerifier(runProcess), dateTrackedNow);

const TEST_GATE: RunnableGate = {
  name: 'test',
  kind: 'test',
  argv: ['cargo', 'test'],
  required: true,
  timeoutMs: 120_000,
  source: 'test',
};

/** A crate whose lib's own test sleeps, and whose tests/it.rs checks `add` in a binary of its own. */
const slowLib = (body: string) =>
  `pub fn add(a: i32, b: i32) -> i32 {\n    ${body}\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn sleeps() {\n        std::thread::sleep(std::time::Duration::from_secs(3));\n    }\n}\n`;
const SLOW_CALC: Record<string, string> = {
  ...BUGGY_CALC,
  'src/lib.rs': slowLib('a - b'),
  'tests/it.rs': '#[test]\nfn adds() {\n    assert_eq!(calc::add(2, 3), 5);\n}\n',
};

let repo: TempRepo;
let scratch: string;
let target: string;
let a: string;
let b: string;

async function worktrees(files: Record<string, string>): Promise<string> {
  const sha = await repo.commit(files);
  a = join(scratch, 'a');
  b = join(scratch, 'b');
  git(repo.root, 'worktree', 'add', '--detach', a, sha);
  git(repo.root, 'worktree', 'add', '--detach', b, sha);
  return sha;
}

function context(cwd: string, sha: string): GateRunContext {
  return {
    cwd,
    sha,
    baseCwd: null,
    baseSha: null,
    artifactsDir: join(scratch, 'gates', cwd === a ? 'a' : 'b'),
    env: {
      PATH: process.env.PATH ?? '',
      ...RUST_ENV,
      CARGO_TARGET_DIR: target,
      CARGO_TERM_COLOR: 'never',
    },
  };
}

beforeEach(async () => {
  repo = await createTempRepo();
  scratch = await mkdtemp(join(tmpdir(), 'omk-cargo-shared-'));
  target = join(scratch, 'cargo-target');
});
afterEach(async () => {
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('cargo gates in worktrees that share one CARGO_TARGET_DIR', () => {
  it("a worktree's test gate tests its own code, not the other worktree's last build", async () => {
    const sha = await worktrees(BUGGY_CALC);
    // A fixes add and builds it into the shared target dir after B was checked out.
    await writeFile(join(a, 'src/lib.rs'), calcLib('a + b'));
    execFileSync('cargo', ['test'], {
      cwd: a,
      env: { ...process.env, ...RUST_ENV, CARGO_TARGET_DIR: target },
      stdio: 'ignore',
    });
    const [evidence] = await verify([TEST_GATE], context(b, sha));
    // B still subtracts: its committed test fails.
    expect(evidence?.outcome, evidence?.tail ?? '').toBe('failed');
    expect(evidence?.tests?.failing).toContain('tests::adds');
  }, 180_000);

  it("parallel runs: one worktree's build does not replace the other's test binaries before they run", async () => {
    const sha = await worktrees(SLOW_CALC);
    await writeFile(join(a, 'src/lib.rs'), slowLib('a + b'));
    // B starts while A's slow lib test runs, before A runs tests/it.rs's binary.
    const [[onA], [onB]] = await Promise.all([
      verify([TEST_GATE], context(a, sha)),
      new Promise((done) => setTimeout(done, 1500)).then(() => verify([TEST_GATE], context(b, sha))),
    ]);
    expect(onA?.outcome, onA?.tail ?? '').toBe('passed');
    expect(onB?.outcome, onB?.tail ?? '').toBe('failed');
    expect(onB?.tests?.failing).toContain('adds');
  }, 180_000);
});

describe('dateTrackedNow', () => {
  it('dates the tracked files now, not the ignored target/ nor an untracked file', async () => {
    await worktrees(BUGGY_CALC);
    const old = new Date('2001-01-01T00:00:00Z');
    await mkdir(join(b, 'target'));
    await writeFile(join(b, 'target/built'), '');
    await writeFile(join(b, 'notes.txt'), '');
    for (const path of ['src/lib.rs', 'Cargo.toml', 'target/built', 'notes.txt'])
      await utimes(join(b, path), old, old);
    const before = Date.now() - 1000;
    expect(await dateTrackedNow(b)).toBe(git(b, 'ls-files').split('\n').length);
    const mtime = async (path: string) => (await stat(join(b, path))).mtimeMs;
    expect(await mtime('src/lib.rs')).toBeGreaterThan(before);
    expect(await mtime('Cargo.toml')).toBeGreaterThan(before);
    expect(await mtime('target/built')).toBe(old.getTime());
    expect(await mtime('notes.txt')).toBe(old.getTime());
  });
});
