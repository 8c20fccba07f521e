import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { scriptFile } from '../helpers/agents.js';
import { BUGGY_FIXTURE, createExecutionEnv, type ExecutionEnv, GOALS } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { type OmkResult, runOmk } from '../helpers/omk.js';
import { refusedBwrapBin } from '../helpers/refused-bwrap.js';

// The hostile agents of hostile-agents.test.ts, run through the CLI with the sandbox on. Where
// this host can confine, each escape fails inside the agent and nothing is left for the integrity
// checks to find; where it cannot, doctor says why and `required` refuses before any agent runs.

const PATH = process.env.PATH ?? '/usr/bin:/bin';
let host: SandboxAvailability;
let env: ExecutionEnv;
const token = `${process.pid}${Date.now() % 100_000}`;
const sleepFor = `300.${token}`;
/** The second sleeper's: it leaves the worktree first. */
const sleepOut = `301.${token}`;
const outside = join(tmpdir(), `omk-outside-marker-${token}`);

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH } }).probe();
});
beforeEach(async () => {
  // A committed failing test the agent's fix makes pass: a fix goal is ready only with one.
  env = await createExecutionEnv(BUGGY_FIXTURE);
});
afterEach(async () => {
  for (const pid of await processesRunning(token)) process.kill(pid, 'SIGKILL');
  await rm(outside, { force: true });
  await env.cleanup();
});

/** The single slice's first agent transcript of goal `id`. */
function agentTranscript(id: string): Promise<string> {
  return readFile(
    join(env.goalDir(id), 'artifacts', 'agent-runs', 's1-fix-the-bug-in-src-parser-js', 'transcript-1.log'),
    'utf8',
  );
}

/** Fixes the parser (the committed test then passes), then tries every way out, printing which worked. `ran` marks that it ran. */
/** `omk goal run` of the single-slice goal by `agent` under `sandbox: required` (with `extra` flags). */
function runRequired(agent: string, ...extra: string[]): Promise<OmkResult> {
  return env.omk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'required', ...extra, '--json');
}

/** Whether `required` refused because this host cannot confine (checked): nothing more to see then. */
function refusedUnconfined(result: OmkResult): boolean {
  if (host.available) return false;
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('sandbox: required, but this host cannot confine agents');
  return true;
}

/** The goal a `--json` run that exited 0 created. */
function goalIdOf(result: OmkResult): string {
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

async function hostileAgent(): Promise<{ spec: string; ran: string }> {
  const ran = join(env.kit.dir, 'ran');
  const path = join(env.kit.dir, 'hostile.sh');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      `touch ${ran} 2>/dev/null`,
      "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
      'common=$(git rev-parse --git-common-dir)',
      'try() { if sh -c "$2" 2>/dev/null; then echo "ESCAPED $1"; else echo "blocked $1"; fi; }',
      `try git-config 'printf "[core]\\n\\thooksPath = /tmp/evil\\n" >> "'"$common"'/config"'`,
      // omk's HOME by its path (the agent's own HOME is its to write, and holds no key).
      `try gitconfig 'printf "[credential]\\n\\thelper = evil\\n" >> "${join(env.stateDir, '.gitconfig')}"'`,
      `try ssh-key 'cat "${join(env.stateDir, '.ssh', 'id_rsa')}"'`,
      `try outside 'touch ${outside}'`,
      // Its sleepers as the slice's agent, not as the planner (which runs the same script, twice: its
      // reply is no plan): what the planner leaves stops the whole run before delivery, the slice's
      // leaves a finding. Tested in this shell: a background `[ -f ] && …` would fork a copy of it
      // that the planner's run, ending at once, could leave still running (named "/bin/sh hostile.sh").
      'if [ -f src/parser.js ]; then',
      `  setsid sleep ${sleepFor} > /dev/null 2>&1 < /dev/null &`,
      `  (cd / && setsid sleep ${sleepOut} > /dev/null 2>&1 < /dev/null &)`,
      // Until both sleep (their shells past fork and exec), however loaded the machine.
      `  ${untilRunning(`sleep ${sleepFor}`, `sleep ${sleepOut}`)}`,
      'fi',
      'exit 0',
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  // HOME is the state directory for the CLI these tests run (runOmk).
  await mkdir(join(env.stateDir, '.ssh'), { recursive: true });
  await writeFile(join(env.stateDir, '.ssh', 'id_rsa'), 'PRIVATE KEY 1234\n');
  await writeFile(join(env.stateDir, '.gitconfig'), '[user]\n\tname = me\n');
  return { spec: `script:${path}`, ran };
}

describe('a sandboxed agent whose time runs out while its sandbox is still being set up', () => {
  it('reads as a timeout with no exit code, as unconfined, never as "could not tell what it left"', async () => {
    const id = await env.plan(GOALS.single);
    // 1 ms: the timeout comes long before bwrap has made the namespace and the init is up.
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, budget: { ...task.budget, timeMs: 1 }, maxRetries: 0 })),
    }));
    const agent = await env.kit.script('sleeper', 'await sleep(30_000);');
    const result = await env.omk(
      'goal',
      'execute',
      id,
      '--agent',
      agent,
      '--sandbox',
      'required',
      '--until-ready',
    );
    if (refusedUnconfined(result)) return;
    expect(result.code, result.stderr).toBe(10);
    const proof = await env.proof(id);
    expect(JSON.stringify(proof)).not.toContain('could not tell');
    // As an unconfined run's: a timeout with no exit code (the stop's signal, not a code of bwrap's).
    expect(proof.agentRuns.map((run) => [run.outcome, run.exitCode])).toEqual([['timeout', null]]);
    expect(proof.failures).toEqual([
      expect.objectContaining({ code: 'slice_failed', evidence: expect.stringContaining('agent timeout') }),
    ]);
  });
});

describe('hostile agents under sandbox: required', () => {
  it('confines them where the host can (else refuses before any agent runs)', async () => {
    const { spec, ran } = await hostileAgent();
    const gitConfig = await readFile(join(env.repo.root, '.git', 'config'), 'utf8');
    const main = git(env.repo.root, 'rev-parse', 'main');
    const result = await runRequired(spec);
    if (refusedUnconfined(result)) {
      expect(result.stderr).toMatch(/sandbox: off/);
      expect(existsSync(ran)).toBe(false);
      expect(existsSync(join(env.stateDir, 'goals'))).toBe(false);
      return;
    }
    const id = goalIdOf(result);
    const transcript = await agentTranscript(id);
    for (const way of ['git-config', 'gitconfig', 'ssh-key', 'outside']) {
      expect(transcript).toContain(`blocked ${way}`);
    }
    expect(transcript).not.toContain('ESCAPED');
    expect(transcript).not.toContain('PRIVATE KEY');
    expect(await readFile(join(env.repo.root, '.git', 'config'), 'utf8')).toBe(gitConfig);
    expect(await readFile(join(env.stateDir, '.gitconfig'), 'utf8')).toBe('[user]\n\tname = me\n');
    expect(existsSync(outside)).toBe(false);
    expect(await processesRunning(sleepFor)).toEqual([]);
    // Nothing got out, so there is nothing to restore. The sleepers it left were ended when its
    // sandbox closed, and the proof names each, and nothing else (not bwrap's own processes):
    // where it ran only when that was the worktree.
    const proof = await env.proof(id);
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    expect(blocking).toHaveLength(2);
    expect(blocking).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The agent left process \\d+ \\("sleep ${sleepFor.replace('.', '\\.')}"\\) running in the worktree in its sandbox after it ended; it was ended when the sandbox closed\\.`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^The agent left process \\d+ \\("sleep ${sleepOut.replace('.', '\\.')}"\\) running in its sandbox after it ended; it was ended when the sandbox closed\\.`,
        ),
      ),
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: 'sandboxed' }),
    );
    expect(proof.warnings.join('\n')).not.toContain('unsandboxed');
    expect(git(env.repo.root, 'rev-parse', 'main')).toBe(main);
  });
});

describe('a planning agent that leaves a sleeper in each of its sandboxed runs', () => {
  it("names each once at the last scan, never one sandbox's pid twice", async () => {
    // Asked to plan twice (its reply is no plan), it leaves a `setsid` sleeper each time: each its
    // own sandbox's pid 3 or so, so the goal-level message must not read as one pid named twice.
    const sleeper = `sleep 302.${token}$n`;
    const agent = await scriptFile(
      env.kit.dir,
      'planner-sleeper.sh',
      [
        '#!/bin/sh',
        'if [ "$OMK_TASK_ID" = plan ]; then',
        '  n=$(date +%N)',
        `  setsid ${sleeper} > /dev/null 2>&1 < /dev/null &`,
        `  for i in $(seq 1000); do pgrep -xf "${sleeper}" > /dev/null && break; sleep 0.02; done`,
        '  exit 0',
        'fi',
        "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
        'exit 0',
        '',
      ].join('\n'),
    );
    const result = await runRequired(agent);
    if (refusedUnconfined(result)) return;
    expect(result.code).not.toBe(0);
    const line = result.stderr.split('\n').find((text) => text.includes('omk delivered nothing')) ?? '';
    const named = [...line.matchAll(new RegExp(`"sleep 302\\.${token}\\d+"`, 'g'))].map((m) => m[0]);
    expect(named).toHaveLength(2);
    expect(new Set(named).size).toBe(2);
    expect(line).toContain(`${named.join(', ')} in the planner's sandbox`);
    expect(line).not.toMatch(/pid \d+ in the planner's sandbox/);
    expect(await processesRunning(`sleep 302.${token}`)).toEqual([]);
  });
});

describe('an agent that kills the sandbox init under sandbox: required', () => {
  it('cannot: what it left is still named, and the slice is not ready', async () => {
    const killer = `302.${token}`;
    const path = join(env.kit.dir, 'init-killer.sh');
    await writeFile(
      path,
      [
        '#!/bin/sh',
        // As the slice's agent only (the planner runs the same script).
        'if [ -f src/parser.js ]; then',
        "  sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
        // The sandbox's init, found as any process in the sandbox can: the perl that runs the rest.
        '  for p in /proc/[0-9]*; do',
        '    n=$(basename "$p")',
        `    if [ "$n" != $$ ] && tr '\\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q 'perl -e'; then`,
        '      kill -9 "$n" && echo "sent SIGKILL to $n"',
        '    fi',
        '  done',
        `  setsid sleep ${killer} > /dev/null 2>&1 < /dev/null &`,
        `  ${untilRunning(`sleep ${killer}`)}`,
        'fi',
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    const result = await runRequired(`script:${path}`);
    if (refusedUnconfined(result)) return;
    const id = goalIdOf(result);
    expect(await agentTranscript(id)).toContain('sent SIGKILL to 1');
    const proof = await env.proof(id);
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    // The init is the sandbox's pid 1, which no process inside can kill: its report names the sleep.
    // Had the kill worked, the report would not have completed, which blocks too: never ready.
    expect(blocking).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The agent left process \\d+ \\("sleep ${killer.replace('.', '\\.')}"\\) running in the worktree in its sandbox`,
        ),
      ),
    ]);
    expect(proof.status).not.toBe('ready');
  });
});

describe('worktree preparation under sandbox: required', () => {
  it('a workspace.setup command writes the worktree, its caches and TMPDIR, never outside', async () => {
    const escaped = `${outside}-setup`;
    const setup = [
      'sh',
      '-c',
      [
        `if touch ${escaped} 2>/dev/null; then echo ESCAPED outside; else echo blocked outside; fi`,
        `if touch "${join(env.repo.root, '.git', 'setup-was-here')}" 2>/dev/null; then echo ESCAPED git; else echo blocked git; fi`,
        'echo ok > "$TMPDIR/t" && echo tmp-ok',
        'mkdir -p "$npm_config_cache" && touch "$npm_config_cache/x" && echo cache-ok',
        'touch prepared-here && rm prepared-here && echo worktree-ok',
      ].join('; '),
    ];
    await env.repo.commit(
      {
        '.omk/config.yml': [
          'version: 1',
          'workspace:',
          '  setup:',
          `    - ${JSON.stringify(setup)}`,
          '',
        ].join('\n'),
      },
      'setup',
    );
    // A shell agent: the kit's script agents log to a file outside the worktree.
    const agent = join(env.kit.dir, 'fixer.sh');
    await writeFile(agent, "#!/bin/sh\nsed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js\n");
    await chmod(agent, 0o755);
    const run = (sandbox: string) =>
      env.omk('goal', 'run', GOALS.single, '--agent', `script:${agent}`, '--sandbox', sandbox, '--json');
    const result = await run('required');
    if (refusedUnconfined(result)) return;
    const id = goalIdOf(result);
    const log = await readFile(join(env.goalDir(id), 'artifacts', 'prepare', 'base.log'), 'utf8');
    expect(log).toContain('blocked outside');
    expect(log).toContain('blocked git');
    expect(log).not.toMatch(/^ESCAPED/m);
    for (const ok of ['tmp-ok', 'cache-ok', 'worktree-ok']) expect(log).toContain(ok);
    expect(existsSync(escaped)).toBe(false);
    expect(existsSync(join(env.repo.root, '.git', 'setup-was-here'))).toBe(false);
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');

    // The same setup unconfined reaches outside: the sandbox is what stopped it above.
    const off = await run('off');
    const offId = (JSON.parse(off.stdout) as { goal: { id: string } }).goal.id;
    const offLog = await readFile(join(env.goalDir(offId), 'artifacts', 'prepare', 'base.log'), 'utf8');
    expect(offLog).toMatch(/^ESCAPED outside$/m);
    expect(existsSync(escaped)).toBe(true);
    await rm(escaped, { force: true });
    await rm(join(env.repo.root, '.git', 'setup-was-here'), { force: true });
  });
});

describe('the network under sandbox: required (a server on the host, outside the sandbox)', () => {
  let server: Server;
  let port = 0;
  beforeEach(async () => {
    server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Prints whether the host's server answered; exits 3 when it did not. */
  const reach = () => [
    'node',
    '-e',
    `require('net').connect(${port}, '127.0.0.1').on('data', () => { console.log('reached the host'); process.exit(0); }).on('error', (e) => { console.log('unreachable: ' + e.code); process.exit(3); });`,
  ];

  it('by default the agent reaches it and a gate does not; a gate with network: open does', async () => {
    await env.repo.commit(
      {
        '.omk/config.yml': [
          'version: 1',
          'gates:',
          '  list:',
          '    - name: reach-default',
          `      run: ${JSON.stringify(reach())}`,
          '      required: false',
          '    - name: reach-open',
          `      run: ${JSON.stringify(reach())}`,
          '      required: false',
          '      network: open',
          '',
        ].join('\n'),
      },
      'gates that try the network',
    );
    const agent = join(env.kit.dir, 'reacher.sh');
    await writeFile(
      agent,
      [
        '#!/bin/sh',
        "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
        reach()
          .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
          .join(' '),
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    const result = await runRequired(`script:${agent}`);
    if (refusedUnconfined(result)) return;
    if (host.available && !host.network.isolated) {
      // bwrap runs here but cannot give a gate a network of its own, which the default asks for.
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('cannot isolate a network');
      return;
    }
    const id = goalIdOf(result);
    const proof = await env.proof(id);
    const transcript = await agentTranscript(id);
    expect(transcript).toContain('reached the host');
    const runs = (name: string) => proof.gates.filter((gate) => gate.name === name);
    expect(runs('reach-open').length).toBeGreaterThan(0);
    for (const gate of runs('reach-open')) expect(gate).toMatchObject({ outcome: 'passed' });
    expect(runs('reach-default').length).toBeGreaterThan(0);
    for (const gate of runs('reach-default')) {
      // It fails on the base as well, the same way: judged pre-existing there (gates.md#sandbox).
      expect(gate.exitCode).toBe(3);
      expect(['failed', 'pre_existing']).toContain(gate.outcome);
      expect(gate.tail).toContain('unreachable: ECONNREFUSED');
    }
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'sandbox',
        decision: 'sandboxed',
        reason: expect.stringContaining('network: agents open, gates none'),
      }),
    );

    // sandbox.network: none closes the agent's network too; the gate's own `open` still wins.
    const config = await readFile(join(env.repo.root, '.omk', 'config.yml'), 'utf8');
    await env.repo.commit(
      { '.omk/config.yml': `${config}sandbox:\n  mode: required\n  network: none\n` },
      'no network for agents either',
    );
    // The tests' OMK_SANDBOX=off would win over the config's mode: the flag wins over both.
    /** A sandboxed run that must succeed: its agent's transcript and its proof. */
    const runSandboxed = async (...extra: string[]) => {
      const runId = goalIdOf(await runRequired(`script:${agent}`, ...extra));
      return { transcript: await agentTranscript(runId), proof: await env.proof(runId) };
    };
    const { transcript: closedTranscript, proof: closedProof } = await runSandboxed();
    expect(closedTranscript).toContain('unreachable: ECONNREFUSED');
    expect(closedTranscript).not.toContain('reached the host');
    for (const gate of closedProof.gates.filter((g) => g.name === 'reach-open')) {
      expect(gate).toMatchObject({ outcome: 'passed' });
    }

    // --sandbox-network is this run's choice over the config's, for agents and gates alike.
    const { transcript: openedTranscript, proof: openedProof } = await runSandboxed(
      '--sandbox-network',
      'open',
    );
    expect(openedTranscript).toContain('reached the host');
    for (const gate of openedProof.gates.filter((g) => g.name === 'reach-default')) {
      expect(gate).toMatchObject({ outcome: 'passed' });
    }
    expect(openedProof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'sandbox',
        reason: expect.stringContaining('network: agents open, gates open'),
      }),
    );
    const refused = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      `script:${agent}`,
      '--sandbox-network',
      'wide',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--sandbox-network: 'wide' is not one of open, none, allow");
  }, 240_000);
});

describe('a host that cannot confine (bwrap whose namespaces are refused)', () => {
  let fakeBin: string;
  beforeEach(async () => {
    fakeBin = await refusedBwrapBin(join(env.kit.dir, 'bin'));
  });
  const omk = (...args: string[]) =>
    runOmk(args, {
      cwd: env.repo.root,
      stateDir: env.stateDir,
      env: { PATH: `${fakeBin}:${PATH}`, OMK_SANDBOX: 'auto' },
    });

  it('doctor names the reason and what it means for goals; required refuses before any agent, auto before any but the demo; auto runs the demo agent unsandboxed, ready, and the proof says so', async () => {
    const doctor = await omk('doctor', '--json', '--agent', 'demo');
    const line = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string; fix?: string }[] }
    ).checks.find((check) => check.id === 'sandbox');
    expect(line).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        'bwrap cannot create namespaces: bwrap: setting up uid map: Permission denied',
      ),
      fix: expect.stringMatching(/user namespaces.*sandbox: off/),
    });
    expect(line?.detail).toContain(
      "under sandbox: auto only omk's demo agent runs here (unconfined, as gates do",
    );
    expect(line?.detail).toContain('any other agent is refused before it starts');
    // The one-run way out is the command a terminal user types, not "the sandbox option".
    expect(line?.fix).toContain(
      `, or for one run: 'omk goal run "<goal>" --sandbox off': they then run unconfined`,
    );

    const { spec, ran } = await hostileAgent();
    const refused = await omk('goal', 'run', GOALS.single, '--agent', spec, '--sandbox', 'required');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('sandbox: required, but this host cannot confine agents');
    expect(refused.stderr).toContain('unprivileged user namespaces');
    expect(refused.stderr).toContain('sandbox: off');
    expect(refused.stderr).toContain(`or for one run: 'omk goal run "<goal>" --sandbox off'.`);
    expect(existsSync(ran)).toBe(false);
    expect(existsSync(join(env.stateDir, 'goals'))).toBe(false);
    const auto = await omk('goal', 'run', GOALS.single, '--agent', spec);
    expect(auto.code).not.toBe(0);
    expect(auto.stderr).toContain(
      `under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${spec} was not started.`,
    );
    expect(existsSync(ran)).toBe(false);
    expect(existsSync(join(env.stateDir, 'goals'))).toBe(false);

    // The demo agent applies the repository's demo markers (as `omk demo`'s fixture has): here, the parser's fix.
    await writeFile(
      join(env.repo.root, 'src/parser.js'),
      '// omk-demo-fix: export const parse = (text) => text.trim();\nexport const parse = (text) => text;\n',
    );
    git(env.repo.root, 'commit', '-qam', 'a demo marker for the parser fix');
    const fellBack = await omk('goal', 'run', GOALS.single, '--agent', 'demo', '--json');
    expect(fellBack.code, fellBack.stderr).toBe(0);
    expect(fellBack.stderr).toContain('agents and gates run unsandboxed: bwrap cannot create namespaces');
    const id = (JSON.parse(fellBack.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'sandbox',
        decision: 'unsandboxed',
        reason: expect.stringContaining('sandbox: auto'),
      }),
    );
    expect(proof.warnings).toContainEqual(expect.stringContaining('Agents and gates ran unsandboxed'));
    // The demo agent is omk's own code: it runs, and its goal needs no person's acceptance (a
    // script agent is not started: test/cli/unconfinable-host.test.ts).
    expect(proof.status).toBe('ready');
    expect(proof.knownGaps).toEqual([]);
  });
});

/** A shell line that waits (20 s at most) until a process with each exact command line runs. */
function untilRunning(...commands: string[]): string {
  const all = commands.map((command) => `pgrep -xf '${command}' > /dev/null`).join(' && ');
  return `for i in $(seq 1000); do ${all} && break; sleep 0.02; done`;
}

/** Pids whose command line holds `needle` (through /proc). */
async function processesRunning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) found.push(Number(entry));
  }
  return found;
}
