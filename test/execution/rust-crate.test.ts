import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { pathWithout } from '../helpers/path-without.js';
import { addOneLib, BUGGY_ADD_WORKSPACE, BUGGY_CALC, calcLib } from '../helpers/rust-crate.js';

/**
 * A Rust crate with inline `#[cfg(test)]` tests and one committed failing test, as a new user would
 * bring it (no .omk/config.yml, no dependencies, so cargo never reaches the network): omk detects
 * cargo fmt, check, clippy and test, reads each test's result from `cargo test`'s own output on the
 * base and the head, and the proof names them.
 */

// The tests run omk with HOME in a temp directory: rustup and cargo are found where this machine
// keeps them, as a user's own HOME would find them.
const RUST_ENV: Record<string, string> = {
  RUSTUP_HOME: process.env.RUSTUP_HOME ?? join(homedir(), '.rustup'),
  CARGO_HOME: process.env.CARGO_HOME ?? join(homedir(), '.cargo'),
};

const CARGO_TOML = '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n';
const TESTS = [
  '#[cfg(test)]',
  'mod tests {',
  '    use super::*;',
  '',
  '    #[test]',
  '    fn adds() {',
  '        assert_eq!(add(2, 3), 5);',
  '    }',
  '',
  '    #[test]',
  '    fn multiplies() {',
  '        assert_eq!(mul(2, 3), 6);',
  '    }',
  '}',
  '',
].join('\n');
const lib = (add: string, mul: string, head = '') =>
  `${head}pub fn add(a: i32, b: i32) -> i32 {\n    ${add}\n}\n\npub fn mul(a: i32, b: i32) -> i32 {\n    ${mul}\n}\n\n${TESTS}`;

/** `add` subtracts; `tests::adds` is committed and fails on the base. */
const CRATE: Readonly<Record<string, string>> = {
  'Cargo.toml': CARGO_TOML,
  '.gitignore': '/target\n',
  'README.md': '# calc\n',
  'src/lib.rs': lib('a - b', 'a * b'),
};

/**
 * The same crate with toolchain drift on its base: an old module that today's rustfmt would lay out
 * differently and today's clippy rejects (needless_return, an error under `-D warnings`).
 */
const DRIFTED: Readonly<Record<string, string>> = {
  ...CRATE,
  'src/lib.rs': lib('a - b', 'a * b', 'pub mod legacy;\n\n'),
  'src/legacy.rs': 'pub fn twice(n: i32) -> i32 { return n*2; }\n',
};

/**
 * The same crate with a doc test that fails on its base, unrelated to the bug (its example expects
 * 5 from `twice(2)`): cargo stops at the first failing test target unless told not to, so on the
 * base the failing inline test hid it.
 */
const TWICE =
  '/// Twice `n`.\n///\n/// ```\n/// assert_eq!(calc::twice(2), 5);\n/// ```\npub fn twice(n: i32) -> i32 {\n    n * 2\n}\n\n';
const DOC_DEBT: Readonly<Record<string, string>> = { ...CRATE, 'src/lib.rs': lib('a - b', 'a * b', TWICE) };

/** The crate with a doc example on `add` too: on the base it fails with `tests::adds`. */
const ADD_DOC = '/// Adds.\n///\n/// ```\n/// assert_eq!(calc::add(2, 3), 5);\n/// ```\n';
const DOC_EXAMPLE: Readonly<Record<string, string>> = {
  ...CRATE,
  'src/lib.rs': lib('a - b', 'a * b', ADD_DOC),
};

const GOAL = 'fix the bug in src/lib.rs';
const writeLib = (text: string) => `write('src/lib.rs', ${JSON.stringify(text)});`;

let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

async function runWith(
  files: Readonly<Record<string, string>>,
  agentBody: string,
  extraEnv: Record<string, string> = {},
) {
  env = await createExecutionEnv(files, { env: { ...RUST_ENV, ...extraEnv } });
  const agent = await env.kit.script('fixer', agentBody);
  const result = await env.omk('goal', 'run', GOAL, '--agent', agent, '--json');
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  return { id, result, proof: await env.proof(id), events: await env.events(id) };
}

describe('per-test evidence on a Rust crate with inline tests', () => {
  it('a correct fix with its regression test added right after the failing inline test is ready, the committed failing test named fail→pass', async () => {
    // The added test's lines border tests::adds's: they must not read as an edit of it. (A plain
    // fix, no test added, is ready below: the doc test and the toolchain drift cases.)
    const regression =
      '    }\n\n    #[test]\n    fn adds_negatives() {\n        assert_eq!(add(-2, -3), -5);\n    }\n\n    #[test]\n    fn multiplies';
    const fixed = lib('a + b', 'a * b').replace('    }\n\n    #[test]\n    fn multiplies', regression);
    const { id, proof, events } = await runWith(CRATE, writeLib(fixed));
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['format:passed', 'typecheck:passed', 'lint:passed', 'test:failed'],
    ]);
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('passed');
    expect(test?.tests).toMatchObject({
      source: 'cargo-test',
      baseSha: proof.git.baseSha,
      failToPass: ['tests::adds'],
      regressions: [],
      stillFailing: [],
      added: ['tests::adds_negatives'],
    });
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        decision: 'fail-to-pass shown',
        reason: expect.stringContaining('tests::adds'),
      }),
    );
    const markdown = await env.omk('goal', 'proof', id, '--format', 'md');
    expect(markdown.stdout).toContain('- fail→pass: `tests::adds`');
  });

  it('a no-op (a comment, the bug left in place) is never ready', async () => {
    const { proof } = await runWith(CRATE, writeLib(`// looked at it\n${lib('a - b', 'a * b')}`));
    expect(proof.status).not.toBe('ready');
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('pre_existing');
    expect(test?.tests).toMatchObject({ stillFailing: ['tests::adds'], failToPass: [] });
    // The still-failing test is the base's own (listed, not blocking); nothing shows a fix.
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
  });

  it('a wrong fix that breaks another test is not ready, the regression named', async () => {
    const { proof, events } = await runWith(CRATE, writeLib(lib('a + b', 'a * b + 1')));
    expect(proof.status).not.toBe('ready');
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)[0]).toContain('test:failed');
    const failure = String(eventsOfType(events, 'task_pending')[0]?.data.failure);
    expect(failure).toMatch(/1 test\(s\) fail here that did not fail on base[^\n]*tests::multiplies/);
    // The proof says what broke too, not only the progress line and the events.
    const incomplete = proof.knownGaps.find((gap) => gap.code === 'slice_incomplete');
    expect(incomplete?.message).toMatch(
      /its last attempt failed: gate test failed \(exit \d+\); newly failing tests \(they pass on the base\): tests::multiplies\.$/,
    );
  });

  it('an inline test edited far below its fn (out of the hunk and its @@ heading, `mod tests {`) is never ready either', async () => {
    const setup =
      '        let a = 2;\n        let b = 3;\n        let sum = add(a, b);\n        let twice = sum + sum;\n';
    const long = lib('a - b', 'a * b').replace(
      '        assert_eq!(add(2, 3), 5);',
      `${setup}        assert_eq!(twice, 10);\n        assert_eq!(sum, 5);`,
    );
    const { proof, result } = await runWith(
      { ...CRATE, 'src/lib.rs': long },
      writeLib(
        long.replace('assert_eq!(sum, 5)', 'assert_eq!(sum, -1)').replace('(twice, 10)', '(twice, -2)'),
      ),
    );
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual(['tests::adds']);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps[0]?.message).toContain(
      'tests::adds failed on the base and passes on the head, but the change edited that test itself',
    );
    // The slice's line reads src/lib.rs whole, as the fail-to-pass check does.
    expect(result.stderr).toMatch(/; tests: 1 fail→pass by an edit of the test itself\n/);
  });

  it('a correct fix that moves a doc test failing on the base too is ready: the doc test is pre-existing', async () => {
    // The fix adds a line above the doc test: rustdoc names it by its line, which moves.
    const { proof, events } = await runWith(
      DOC_DEBT,
      writeLib(lib('a + b', 'a * b', `//! calc\n\n${TWICE}`)),
    );
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['format:passed', 'typecheck:passed', 'lint:passed', 'test:failed'],
    ]);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests).toMatchObject({
      failToPass: ['tests::adds'],
      regressions: [],
      stillFailing: ['src/lib.rs - twice (example 1)'],
    });
  });

  it('a doc example and an inline test edited to expect the bug are never ready: an edited doc test shows no fix', async () => {
    // tests::adds failed on the base and passes on the head, but only because it now expects 2 - 3;
    // so does the doc example. Counted as a fix, either would make the goal ready: this case also
    // stands for an inline test edited alone (the one below, edited far from its fn, names it).
    const edited = lib('a - b', 'a * b', ADD_DOC.replace('5);', '-1);')).replace(
      'add(2, 3), 5',
      'add(2, 3), -1',
    );
    const { proof } = await runWith(DOC_EXAMPLE, writeLib(edited));
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual([
      'src/lib.rs - add (example 1)',
      'tests::adds',
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
    expect(proof.knownGaps[0]?.message).toContain(
      'src/lib.rs - add (example 1), tests::adds failed on the base and pass on the head, but the change edited those tests itself',
    );
  });

  it('a correct fix that also fences the failing doc example ```ignore is not ready: the doc test is turned off', async () => {
    // Ready before: tests::adds went fail→pass, and rustdoc just reports the example `ignored`.
    const ignored = ADD_DOC.replace('/// ```\n/// assert', '/// ```ignore\n/// assert');
    const { id, proof } = await runWith(DOC_EXAMPLE, writeLib(lib('a + b', 'a * b', ignored)));
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.filter((finding) => finding.severity === 'blocking').map((f) => f.message)).toEqual(
      [
        'The doc test of "add" turned off in "src/lib.rs" ("/// ```ignore" added); restore it, or strengthen the test instead: a weakened test proves nothing.',
      ],
    );
    // rustdoc reports it `ignored`: skipped on the attempt's head, not a test the change removed.
    const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
      slices: { gates: { name: string; tests?: { removed: string[]; counts: Record<string, number> } }[] }[];
    };
    const test = execution.slices[0]?.gates.find((gate) => gate.name === 'test')?.tests;
    expect(test?.removed).toEqual([]);
    expect(test?.counts).toMatchObject({ failToPass: 1, skipped: 1, removed: 0 });
  });

  it("in a workspace whose members both have tests::it_works, a fix of add_one is ready: add_two's own failing it_works is pre-existing, not add_one's", async () => {
    // Merged under one name, add_two's failure kept add_one's fixed test reading as still failing.
    const regression = '#[test]\nfn adds_one_to_negative() {\n    assert_eq!(add_one::add_one(-1), 0);\n}\n';
    env = await createExecutionEnv(BUGGY_ADD_WORKSPACE, { env: RUST_ENV });
    const agent = await env.kit.script(
      'fixer',
      `write('add_one/src/lib.rs', ${JSON.stringify(addOneLib('x + 1'))});\nwrite('add_one/tests/negative.rs', ${JSON.stringify(regression)});`,
    );
    const result = await env.omk(
      'goal',
      'run',
      'fix add_one in the add_one crate',
      '--agent',
      agent,
      '--json',
    );
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('pre_existing');
    expect(test?.tests).toMatchObject({
      failToPass: ['add_one::tests::it_works'],
      stillFailing: ['add_two::tests::it_works'],
      regressions: [],
      added: ['adds_one_to_negative'],
    });
  });

  it('without cargo on the PATH, the goal stops before any agent runs, naming cargo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-no-cargo-'));
    try {
      const PATH = await pathWithout(['cargo'], dir);
      const { proof, events, result } = await runWith(CRATE, writeLib(lib('a + b', 'a * b')), { PATH });
      expect(await env.kit.calls()).toEqual([]);
      expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
        ['format:unavailable', 'typecheck:unavailable', 'lint:unavailable', 'test:unavailable'],
      ]);
      expect(proof.status).toBe('blocked_on_human');
      expect(proof.agentRuns).toEqual([]);
      const gaps = proof.knownGaps.filter((gap) => gap.code === 'gate_unavailable').map((gap) => gap.message);
      expect(gaps.find((message) => message.includes('Required gate "test"'))).toContain(
        'No slice agent ran. Install cargo',
      );
      expect(`${result.stdout}\n${result.stderr}`).toContain('Install cargo');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without clippy (cargo has no clippy command), the goal stops before any agent runs, naming cargo-clippy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-no-clippy-'));
    try {
      // A toolchain installed without the clippy component: cargo looks for cargo-clippy on PATH and
      // in $CARGO_HOME/bin, and finds it in neither.
      const clippy = ['cargo-clippy', 'clippy-driver'];
      const cargoHome = join(dir, 'cargo-home');
      await mkdir(join(cargoHome, 'bin'), { recursive: true });
      for (const entry of await readdir(join(RUST_ENV.CARGO_HOME ?? '', 'bin'))) {
        if (!clippy.includes(entry))
          await symlink(join(RUST_ENV.CARGO_HOME ?? '', 'bin', entry), join(cargoHome, 'bin', entry));
      }
      const PATH = await pathWithout(clippy, join(dir, 'path'));
      const { proof, events, result } = await runWith(CRATE, writeLib(lib('a + b', 'a * b')), {
        PATH,
        CARGO_HOME: cargoHome,
      });
      expect(await env.kit.calls()).toEqual([]);
      expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
        ['format:passed', 'typecheck:passed', 'lint:unavailable', 'test:failed'],
      ]);
      expect(proof.status).toBe('blocked_on_human');
      expect(proof.agentRuns).toEqual([]);
      const gap = proof.knownGaps.find((entry) => entry.code === 'gate_unavailable')?.message;
      expect(gap).toContain('Required gate "lint" (lint) cannot start');
      expect(gap).toContain(
        'cargo-clippy: cargo has no clippy command (exit 101); with rustup: rustup component add clippy',
      );
      expect(gap).toContain('No slice agent ran. Install cargo-clippy');
      expect(result.stderr).toContain('Install cargo-clippy');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rustfmt and clippy failing on the base's own code do not block a correct fix", async () => {
    const { proof, events } = await runWith(DRIFTED, writeLib(lib('a + b', 'a * b', 'pub mod legacy;\n\n')));
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['format:failed', 'typecheck:passed', 'lint:failed', 'test:failed'],
    ]);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const gate = (name: string) => proof.gates.find((g) => g.name === name);
    expect(gate('format')).toMatchObject({ outcome: 'pre_existing', required: true });
    expect(gate('format')?.diagnostics).toMatchObject({ new: 0, preExisting: 1 });
    expect(gate('lint')).toMatchObject({ outcome: 'pre_existing', required: true });
    expect(gate('lint')?.diagnostics).toMatchObject({ new: 0, preExisting: 1 });
    expect(gate('test')?.tests?.failToPass).toEqual(['tests::adds']);
  });

  it("a `harness = false` test target that prints libtest's lines for the failing test is never ready", async () => {
    // The bug stays; `[lib] test = false` drops the real tests and the lib itself, run as a test
    // target without libtest, prints "test tests::adds ... ok". Per test, tests::adds "failed on
    // the base and passes on the head": before the Cargo.toml review, the goal was `ready`.
    env = await createExecutionEnv(CRATE, { env: RUST_ENV });
    const forged = `${lib('a - b', 'a * b')}\npub fn main() {\n    println!("running 1 test\\ntest tests::adds ... ok\\n\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\\n");\n}\n`;
    const manifest = `${CARGO_TOML}\n[lib]\ntest = false\n\n[[test]]\nname = "forged"\npath = "src/lib.rs"\nharness = false\n`;
    const agent = await env.kit.script(
      'forger',
      `write('src/lib.rs', ${JSON.stringify(forged)});\nwrite('Cargo.toml', ${JSON.stringify(manifest)});`,
    );
    const result = await env.omk('goal', 'run', `${GOAL} and Cargo.toml`, '--agent', agent, '--json');
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toEqual([
      expect.stringContaining(
        'The change edits "Cargo.toml test targets (harness, test)", which decides what the "test" gate ran:',
      ),
    ]);
  });
  it("two slices in parallel: the one that leaves src/lib.rs alone tests its own code, not the other's build in the shared target dir", async () => {
    // s1 fixes add; s2 edits the README and waits until s1's gates have built the fix into the
    // goal's CARGO_TARGET_DIR. s2's src/lib.rs was checked out before that build: cargo took the
    // build for fresh and s2's test gate ran s1's fix (test:passed on code whose test fails).
    env = await createExecutionEnv(BUGGY_CALC, { env: RUST_ENV });
    const slice = (id: string, reads: string, writes: string) => ({
      id,
      title: id,
      role: 'implementer',
      reads: [reads],
      writes: [writes],
      dependsOn: [],
      acceptance: ['cargo test passes'],
      tests: [],
      risk: 'low',
      why: 'two independent changes',
    });
    const plan = {
      version: 2,
      classification: { class: 'fix', why: 'add subtracts' },
      slices: [
        slice('s1-fix-add', 'src/lib.rs', 'src/lib.rs'),
        slice('s2-readme', 'Cargo.toml', 'README.md'),
      ],
    };
    const agent = await scriptFile(
      env.kit.dir,
      'parallel.mjs',
      `#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
const task = process.env.OMK_TASK_ID;
if (task === 'plan') {
  console.log(${JSON.stringify(JSON.stringify(plan))});
  process.exit(0);
}
if (task === 's1-fix-add') {
  writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a + b'))});
  process.exit(0);
}
if (task !== 's2-readme') process.exit(1);
const goal = basename(dirname(process.cwd()));
const events = join(dirname(dirname(dirname(process.cwd()))), 'goals', goal, 'events.jsonl');
const built = () =>
  existsSync(events) &&
  readFileSync(events, 'utf8').split('\\n').some((line) => line.includes('"gates_verified"') && line.includes('"s1-fix-add"'));
const until = Date.now() + 60000;
while (!built() && Date.now() < until) await new Promise((done) => setTimeout(done, 200));
writeFileSync('README.md', 'calc: adds two numbers\\n');
`,
    );
    const result = await env.omk(
      'goal',
      'run',
      'fix add in src/lib.rs',
      '--agent',
      agent,
      '--max-agents',
      '2',
      '--json',
    );
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const gates = eventsOfType(await env.events(id), 'gates_verified');
    const outcomes = (task: string) => gates.find((e) => e.data.taskId === task)?.data.outcomes;
    expect(outcomes('s1-fix-add'), JSON.stringify(gates)).toContain('test:passed');
    expect(outcomes('s2-readme'), JSON.stringify(gates)).toContain('test:pre_existing');
  });
});
