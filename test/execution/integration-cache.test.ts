import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { scriptFile } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { BUGGY_CALC, calcLib, RUST_ENV } from '../helpers/rust-crate.js';

/**
 * The integration's gates decide the proof that gates the merge: they read no build cache a
 * slice's code wrote (issue 17). Here the code that poisons it is no agent's write but a test the
 * slice's gates ran, in an attempt that was then reset, so it is in no delivered diff. Attempt 1
 * fixes `add` and adds `tests/plant.rs`, which dates everything in the gate's CARGO_TARGET_DIR (the
 * goal's cache, the fixed crate's test binary included) in 2100, copies it over the integration's
 * own cache too (unsandboxed, nothing stops it) and fails on purpose. Attempt 2
 * starts again from the slice's start and commits the bug as it was, a comment added: cargo takes
 * the fixed binary for fresh for any checkout, and on main the slice's and the integration's
 * `cargo test` both passed and the goal was ready. No dependencies: cargo never reaches the network.
 */

/**
 * What `tests/plant.rs` runs: every file of the gate's CARGO_TARGET_DIR (the slices' cache,
 * `<state>/cache/<goal>/cargo-target`) dated in 2100, and the same copied over the integration's
 * own (`<state>/cache/.integration/<goal>/cargo-target`), which unconfined it can write too.
 */
const PLANT_SH = [
  't="$CARGO_TARGET_DIR"',
  'goal_cache=$(dirname "$t")',
  'int=$(dirname "$goal_cache")/.integration/$(basename "$goal_cache")/cargo-target',
  'mkdir -p "$int"',
  'cp -a "$t/." "$int/"',
  'find "$t" "$int" -exec touch -d 2100-01-01 {} +',
].join('\n');

/** `tests/plant.rs`, formatted as rustfmt wants it (the fmt gate runs too). */
const PLANT = `use std::process::Command;

const PLANT: &str = r#"${PLANT_SH}"#;

#[test]
fn plants() {
    let status = Command::new("sh")
        .args(["-c", PLANT])
        .status()
        .expect("sh runs");
    assert!(status.success());
    panic!("this attempt fails on purpose; what it planted stays");
}
`;

const PLANTER = `#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
if (process.env.OMK_ATTEMPT === '1') {
  writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a + b'))});
  mkdirSync('tests', { recursive: true });
  writeFileSync('tests/plant.rs', ${JSON.stringify(PLANT)});
} else {
  writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a - b', '// add two numbers\n\n'))});
}
`;

/** The control: fixes `add`, nothing else. */
const HONEST = `#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
writeFileSync('src/lib.rs', ${JSON.stringify(calcLib('a + b'))});
`;

let env: ExecutionEnv;
let confines = false;

beforeAll(async () => {
  confines = (await createBubblewrap({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).probe())
    .available;
});

afterEach(async () => {
  await env.cleanup();
});

async function runGoal(script: string, sandbox: 'off' | 'required' = 'off') {
  env = await createExecutionEnv(BUGGY_CALC, { env: { ...RUST_ENV, OMK_SANDBOX: sandbox } });
  const agent = await scriptFile(env.kit.dir, 'agent.mjs', script);
  const result = await env.omk(
    'goal',
    'run',
    'fix add in src/lib.rs',
    '--agent',
    agent,
    '--until-ready',
    '--json',
  );
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  const events = await env.events(id);
  return {
    result,
    proof: await env.proof(id),
    /** Each slice gate run's outcomes, in order. */
    sliceGates: eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes as string[]),
    integration: eventsOfType(events, 'integration_done').map((e) => e.data.gates as string[]),
    id,
  };
}

/** The `cargo test` gate logs of the integration's worktree and of the slice's, by which. */
async function testLogs(goalDir: string): Promise<Map<'integration' | 'slice', string>> {
  const dir = join(goalDir, 'artifacts', 'gates');
  const found = new Map<'integration' | 'slice', string>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('-test.log'))) {
    const text = await readFile(join(dir, name), 'utf8');
    const cwd = /=== omk gate test: run 1 on \S+ in (\S+)/.exec(text)?.[1] ?? '';
    if (cwd.endsWith('/integration')) found.set('integration', text);
    else if (/\/s1-[^/]*$/.test(cwd)) found.set('slice', text);
  }
  return found;
}

describe("the integration's build cache", () => {
  it("reads nothing a reset attempt's test planted in the slices' cache: the goal is not ready", async () => {
    const { proof, sliceGates, integration, result } = await runGoal(PLANTER);
    // Attempt 1 failed on its planting test; attempt 2 took the fixed binary for fresh.
    expect(sliceGates.length, result.stderr).toBeGreaterThanOrEqual(2);
    expect(sliceGates[0]).toContain('test:failed');
    expect(sliceGates[1], 'the slice itself still reads the poisoned cache').toContain('test:passed');
    // The integration built the committed code: its test fails, as on the base (and the slice,
    // retried for it, commits the same again).
    expect(integration.length).toBeGreaterThan(0);
    for (const gates of integration) {
      expect(gates, JSON.stringify(integration)).toContain('test:pre_existing');
    }
    // What it copied over the integration's own cache was found changed there and emptied.
    expect(result.stderr).toMatch(
      /the integration's build cache changed since omk's last gate run or install there \(\d+ file/,
    );
    expect(proof.status).not.toBe('ready');
  });

  it('an honest fix is ready, the integration built in a cache of its own', async () => {
    const { proof, integration, result, id } = await runGoal(HONEST);
    expect(integration.at(-1), result.stderr).toContain('test:passed');
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    // Where each `cargo test` ran its binary: the slice's in the goal's cache, the integration's
    // in its own; both removed with the settled goal's worktrees.
    const logs = await testLogs(env.goalDir(id));
    expect(logs.get('integration')).toContain(`/cache/.integration/${id}/cargo-target/debug/deps/calc-`);
    expect(logs.get('slice')).toContain(`/cache/${id}/cargo-target/debug/deps/calc-`);
    for (const dir of [join('cache', id), join('cache', '.integration', id)]) {
      expect(await stat(join(env.stateDir, dir)).catch(() => null), dir).toBeNull();
    }
  });

  it('confined, the gates on the base and the integrated tree write their own cache: an honest fix is ready', async () => {
    // Where this host cannot confine, `required` refuses before any agent runs.
    if (!confines) return;
    const { proof, integration, result, id } = await runGoal(HONEST, 'required');
    expect(integration.at(-1), result.stderr).toContain('test:passed');
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect((await testLogs(env.goalDir(id))).get('integration')).toContain(`/cache/.integration/${id}/`);
  });
});
