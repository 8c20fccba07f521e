import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType, type GoalEvent } from '../helpers/execution.js';
import { GO_CALC_TESTS, GO_MODULE, goCalc } from '../helpers/go-calc.js';
import { pathWithout } from '../helpers/path-without.js';

/**
 * A Go module with a _test.go and one committed failing test, as a new user would bring it (no
 * .omk/config.yml, no dependencies, so go never reaches the network): omk detects gofmt, go vet and
 * `go test`, reads each test's result from `go test -json` on the base and the head, and the proof
 * names them: a correct fix is ready, a wrong fix and a no-op never are.
 *
 * Where `go` is not installed (some CI machines), the same goals must end honestly instead: the
 * gates are `unavailable`, naming `go`, and the goal stops before any agent runs. Those tests are
 * never skipped: they assert whichever of the two this machine can show, and the last test shows
 * the second on every machine by hiding go from omk's PATH.
 */

const GO_INSTALLED = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `Add` subtracts; TestAdd is committed and fails on the base. */
const GO_FIXTURE: Readonly<Record<string, string>> = {
  'go.mod': `module ${GO_MODULE}\n\ngo 1.19\n`,
  'README.md': '# calc\n',
  'calc.go': goCalc('a - b', 'a * b'),
  'calc_test.go': GO_CALC_TESTS,
};
const GOAL = 'fix the bug in calc.go';
/** The same goal with the test file in the slice's write set, so editing it is in scope. */
const GOAL_WITH_TEST = 'fix the bug in calc.go and calc_test.go';
const writeCalc = (add: string, mul: string) => `write('calc.go', ${JSON.stringify(goCalc(add, mul))});`;

/**
 * Go's caches for this file's goals, in a temp directory (never the user's). The gates get a
 * GOCACHE of their goal's own instead (docs/gates.md), which each goal fills once: a few seconds of
 * go vet and go test, so each case here is one goal run.
 */
let goDir: string;
beforeAll(async () => {
  goDir = await mkdtemp(join(tmpdir(), 'omk-go-'));
});
afterAll(async () => {
  await rm(goDir, { recursive: true, force: true });
});
const goEnv = (): Record<string, string> => ({
  GOCACHE: join(goDir, 'cache'),
  GOPATH: join(goDir, 'path'),
  GOFLAGS: '-mod=mod',
});

let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

async function runWith(
  agentBody: string,
  extraEnv: Record<string, string> = {},
  fixture: Readonly<Record<string, string>> = GO_FIXTURE,
  goal = GOAL,
) {
  env = await createExecutionEnv(fixture, { env: { ...goEnv(), ...extraEnv } });
  const agent = await env.kit.script('fixer', agentBody);
  const result = await env.omk('goal', 'run', goal, '--agent', agent, '--json');
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  return { id, result, proof: await env.proof(id), events: await env.events(id) };
}

/** What a machine without go must show: no gate could start, no agent ran, the way out named. */
async function expectGoUnavailable(
  run: { proof: Proof; events: GoalEvent[]; result: { stdout: string; stderr: string } },
  output = `${run.result.stdout}\n${run.result.stderr}`,
): Promise<void> {
  expect(await env.kit.calls()).toEqual([]);
  expect(eventsOfType(run.events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
    ['format:unavailable', 'lint:unavailable', 'test:unavailable'],
  ]);
  expect(eventsOfType(run.events, 'task_leased')).toEqual([]);
  expect(run.proof.status).toBe('blocked_on_human');
  expect(run.proof.agentRuns).toEqual([]);
  const gaps = run.proof.knownGaps.filter((gap) => gap.code === 'gate_unavailable').map((gap) => gap.message);
  const test = gaps.find((message) => message.includes('Required gate "test" (test) cannot start on base'));
  expect(test).toContain('go: could not start (spawn go ENOENT)');
  expect(test).toContain('No slice agent ran. Install go');
  expect(output).toContain('Install go');
}

describe('per-test evidence on a Go module', () => {
  it(`a correct fix that also edits the failing test's message is ${GO_INSTALLED ? 'ready, TestAdd named fail→pass: the edited test fails against the base' : 'never tried without go: gates unavailable'}`, async () => {
    // A plain fix, the test left alone, is ready below too (the module with old vet debt).
    const edited = GO_CALC_TESTS.replace('want 5', 'want 5 (2 + 3)');
    const run = await runWith(
      `${writeCalc('a + b', 'a * b')}\nwrite('calc_test.go', ${JSON.stringify(edited)});`,
      {},
      GO_FIXTURE,
      GOAL_WITH_TEST,
    );
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { id, proof, events } = run;
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['format:passed', 'lint:passed', 'test:failed'],
    ]);
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('passed');
    expect(test?.tests).toMatchObject({
      source: 'go-test-json',
      baseSha: proof.git.baseSha,
      failToPass: [`${GO_MODULE}::TestAdd`],
      regressions: [],
      stillFailing: [],
    });
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        decision: 'fail-to-pass shown',
        reason: expect.stringContaining("the head's tests fail against the base's source"),
      }),
    );
    const markdown = await env.omk('goal', 'proof', id, '--format', 'md');
    expect(markdown.stdout).toContain(`- fail→pass: \`${GO_MODULE}::TestAdd\``);
    // The oracle's run of the head's tests on the base and the Markdown proof: 95 s once at load 20.
  }, 150_000);

  it(`a wrong fix that breaks another test is ${GO_INSTALLED ? 'not ready, the regression named' : 'never tried without go: gates unavailable'}`, async () => {
    const run = await runWith(writeCalc('a + b', 'a*b + 1'));
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { proof, events } = run;
    expect(proof.status).not.toBe('ready');
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)[0]).toContain('test:failed');
    const failure = String(eventsOfType(events, 'task_pending')[0]?.data.failure);
    expect(failure).toMatch(
      new RegExp(
        `1 test\\(s\\) fail here that did not fail on base[^\\n]*${GO_MODULE.replace('.', '\\.')}::TestMul`,
      ),
    );
  });

  it(`a no-op (a comment, the bug left in place) is ${GO_INSTALLED ? 'never ready: TestAdd still failing, no fail-to-pass' : 'never tried without go: gates unavailable'}`, async () => {
    const run = await runWith(
      `write('calc.go', ${JSON.stringify(`// looked at it\n${goCalc('a - b', 'a * b')}`)});`,
    );
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { proof } = run;
    expect(proof.status).not.toBe('ready');
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('pre_existing');
    expect(test?.tests).toMatchObject({
      source: 'go-test-json',
      stillFailing: [`${GO_MODULE}::TestAdd`],
      failToPass: [],
      regressions: [],
    });
    // The still-failing test is the base's own (listed, not blocking); nothing shows a fix.
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
    // Said as it is: the base's test still fails, so the code needs the fix, not a new test.
    expect(proof.knownGaps[0]?.message).toContain(
      `${GO_MODULE}::TestAdd failed there, and it still fails on the head`,
    );
    expect(proof.knownGaps[0]?.hint?.[0]).toBe(
      `The test that fails on the base still fails on the head (${GO_MODULE}::TestAdd): the change does not fix it. `,
    );
  });

  it(`a correct fix in a module with old vet debt in a package without tests is ${GO_INSTALLED ? 'ready, the debt pre-existing' : 'never tried without go: gates unavailable'}`, async () => {
    // `go test ./...` vets util too and exits 2 on the base and the head alike; before Go 1.24 it
    // says so only outside the JSON stream. The debt is the base's, so it must not block the fix.
    const util =
      'package util\n\nimport "fmt"\n\n// Show prints n.\nfunc Show(n int) {\n\tfmt.Printf("value: %s\\n", n)\n}\n';
    const run = await runWith(writeCalc('a + b', 'a * b'), {}, { ...GO_FIXTURE, 'util/util.go': util });
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { proof } = run;
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const test = proof.gates.find((gate) => gate.name === 'test');
    expect(test?.outcome).toBe('pre_existing');
    expect(test?.tests).toMatchObject({
      failToPass: [`${GO_MODULE}::TestAdd`],
      stillFailing: [`${GO_MODULE}/util`],
      regressions: [],
    });
    expect(proof.gates.find((gate) => gate.name === 'lint')?.outcome).toBe('pre_existing');
  });

  it(`a test and an example both edited to expect the bug are ${GO_INSTALLED ? 'never ready: an edited example shows no fix' : 'never tried without go: gates unavailable'}`, async () => {
    // ExampleAdd's `// Output:` is its expectation: edited to the bug's, it passes by it. TestAdd
    // now expects 2 - 3: counted as a fix, either edit would make the goal ready, so this case also
    // stands for a test edited alone (the golden file's case below names its one-test message).
    const example = 'func ExampleAdd() {\n\tfmt.Println(Add(2, 3))\n\t// Output: 5\n}\n';
    const tests = `${GO_CALC_TESTS.replace('import "testing"', 'import (\n\t"fmt"\n\t"testing"\n)')}\n${example}`;
    const edited = tests
      .replace('got != 5', 'got != -1')
      .replace('want 5', 'want -1')
      .replace('// Output: 5', '// Output: -1');
    const run = await runWith(
      `write('calc_test.go', ${JSON.stringify(edited)});`,
      {},
      { ...GO_FIXTURE, 'calc_test.go': tests },
      GOAL_WITH_TEST,
    );
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { proof } = run;
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual([
      `${GO_MODULE}::ExampleAdd`,
      `${GO_MODULE}::TestAdd`,
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
    expect(proof.knownGaps[0]?.message).toContain(
      `${GO_MODULE}::ExampleAdd, ${GO_MODULE}::TestAdd failed on the base and pass on the head, but the change edited those tests itself`,
    );
  });

  it(`a golden file under testdata/ rewritten to the bug's output is ${GO_INSTALLED ? 'never ready: its test counts as edited' : 'never tried without go: gates unavailable'}`, async () => {
    // TestAddGolden reads its expectation from testdata/add.golden (`go test -update` style): the
    // agent rewrote that file to what the bug prints, so the test passes with the bug in place.
    const golden =
      'package calc\n\nimport (\n\t"fmt"\n\t"os"\n\t"testing"\n)\n\nfunc TestAddGolden(t *testing.T) {\n' +
      '\twant, err := os.ReadFile("testdata/add.golden")\n\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n' +
      '\tif got := fmt.Sprintln(Add(2, 3)); got != string(want) {\n\t\tt.Errorf("Add(2, 3) = %q, want %q", got, want)\n\t}\n}\n';
    const run = await runWith(
      "write('testdata/add.golden', '-1\\n');",
      {},
      { ...GO_FIXTURE, 'calc_test.go': golden, 'testdata/add.golden': '5\n' },
      'fix the bug in calc.go and testdata/add.golden',
    );
    if (!GO_INSTALLED) return expectGoUnavailable(run);
    const { proof } = run;
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual([
      `${GO_MODULE}::TestAddGolden`,
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
    expect(proof.knownGaps[0]?.message).toContain(
      `${GO_MODULE}::TestAddGolden failed on the base and passes on the head, but the change edited that test itself (the test data it reads: testdata/add.golden)`,
    );
  });

  it('without go on the PATH, the goal stops before any agent runs, naming go', async () => {
    const path = await pathWithout(['go', 'gofmt'], join(goDir, 'path-without-go'));
    await expectGoUnavailable(await runWith(writeCalc('a + b', 'a * b'), { PATH: path }));
  });
});
