import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRunInput } from '../../runtime/agents/port.js';
import { ConfigError } from '../../runtime/errors.js';
import type { ProcessRunner, ProcessSpec } from '../../runtime/ports.js';
import { runProcess } from '../process/run-process.js';
import { type CommandAgentOptions, createCommandAgent, expandArgv } from './command-agent.js';

let root: string;
let cwd: string;
let artifacts: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-cmd-agent-'));
  cwd = join(root, 'work');
  artifacts = join(root, 'artifacts');
  await mkdir(cwd);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Text a shell would act on: if any of it were interpreted, PWNED files would appear. */
const NASTY = [
  '# Slice: $(touch PWNED1) `touch PWNED2` ; touch PWNED3 && touch PWNED4 | cat',
  `'single' "double" \\backslash $HOME \${PATH} {cwd} {promptFile} %PATH% *`,
  'line three\n\ttabbed',
].join('\n');

const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/test' };

function agent(argv: string[], overrides: Partial<CommandAgentOptions> = {}) {
  return createCommandAgent({
    name: 'test',
    label: 'test agent',
    argv: [process.execPath, ...argv],
    prompt: 'arg',
    envNames: [],
    home: [],
    usage: 'none',
    startupSilenceMs: 60_000,
    networkStallMs: null,
    baseEnv: hostEnv,
    ...overrides,
  });
}

function input(overrides: Partial<AgentRunInput> = {}): AgentRunInput {
  return {
    goalId: 'g1',
    taskId: 'fix-it',
    attempt: 1,
    task: {
      id: 'fix-it',
      title: 'Fix it',
      description: '',
      ownerRole: 'engineer',
      reads: ['.'],
      writes: ['src', 'test/a.test.ts'],
      acceptance: [],
    },
    prompt: NASTY,
    cwd,
    timeoutMs: 20_000,
    artifactsDir: artifacts,
    ...overrides,
  };
}

/** Child code that records what it received into received.json in its cwd. */
const RECORD = `const fs = require('node:fs');
const rec = (value) => fs.writeFileSync('received.json', JSON.stringify(value));`;

async function received(): Promise<unknown> {
  return JSON.parse(await readFile(join(cwd, 'received.json'), 'utf8'));
}

async function expectNothingExecuted() {
  const files = await readdir(cwd);
  expect(files.filter((f) => f.startsWith('PWNED'))).toEqual([]);
}

describe('command agent: prompt delivery', () => {
  it('passes the prompt as one verbatim argument', async () => {
    const result = await agent(['-e', `${RECORD} rec(process.argv.slice(1))`, 'first', '{prompt}']).run(
      input(),
    );
    expect(result.outcome).toBe('succeeded');
    expect(await received()).toEqual(['first', NASTY]);
    await expectNothingExecuted();
  });

  it('appends the prompt when an arg template has no placeholder', async () => {
    await agent(['-e', `${RECORD} rec(process.argv.slice(1))`]).run(input());
    expect(await received()).toEqual([NASTY]);
  });

  it('passes the prompt on stdin', async () => {
    const code = `${RECORD} let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => rec(s));`;
    const result = await agent(['-e', code], { prompt: 'stdin' }).run(input());
    expect(result.outcome).toBe('succeeded');
    expect(await received()).toBe(NASTY);
    await expectNothingExecuted();
  });

  it('passes a prompt file, also inside an argument, and replaces {cwd}', async () => {
    // 'first' ends node's own option parsing, so '--file=' reaches the script.
    const code = `${RECORD} const [, a, b] = process.argv.slice(1);
      rec({ a, b, text: fs.readFileSync(a.slice('--file='.length), 'utf8') });`;
    const result = await agent(['-e', code, 'first', '--file={promptFile}', 'dir={cwd}'], {
      prompt: 'file',
    }).run(input());
    expect(result.outcome).toBe('succeeded');
    const promptFile = join(artifacts, 'prompt-1.md');
    expect(await received()).toEqual({ a: `--file=${promptFile}`, b: `dir=${cwd}`, text: NASTY });
    await expectNothingExecuted();
  });

  it('gives the agent its task in OMK_* variables and writes the prompt artifact', async () => {
    const code = `${RECORD} const e = process.env;
      rec({ id: e.OMK_TASK_ID, attempt: e.OMK_ATTEMPT, writes: JSON.parse(e.OMK_WRITES), file: fs.readFileSync(e.OMK_PROMPT_FILE, 'utf8') });`;
    await agent(['-e', code], { prompt: 'stdin' }).run(input({ attempt: 3 }));
    expect(await received()).toEqual({
      id: 'fix-it',
      attempt: '3',
      writes: ['src', 'test/a.test.ts'],
      file: NASTY,
    });
    expect(await readFile(join(artifacts, 'prompt-3.md'), 'utf8')).toBe(NASTY);
  });

  it('writes its prompt and transcript as new files: a link or a directory planted under their names is replaced, never followed', async () => {
    // What an unsandboxed agent of an earlier attempt could leave for this one.
    const victim = join(root, 'victim.txt');
    await writeFile(victim, "the user's file\n");
    await mkdir(artifacts, { recursive: true });
    await symlink(victim, join(artifacts, 'prompt-2.md'));
    await symlink(victim, join(artifacts, 'transcript-2.log'));
    await mkdir(join(artifacts, 'usage-2.json'));
    const result = await agent(['-e', 'console.log("done")'], { prompt: 'file' }).run(input({ attempt: 2 }));
    expect(result.outcome).toBe('succeeded');
    expect(await readFile(victim, 'utf8')).toBe("the user's file\n");
    for (const name of ['prompt-2.md', 'transcript-2.log'])
      expect((await lstat(join(artifacts, name))).isFile(), name).toBe(true);
    expect(await readFile(join(artifacts, 'prompt-2.md'), 'utf8')).toBe(NASTY);
    expect(await readFile(join(artifacts, 'transcript-2.log'), 'utf8')).toContain('done');
  });

  it('refuses a prompt too long for one argument instead of failing to spawn', async () => {
    const result = await agent(['-e', '']).run(input({ prompt: `# ${'x'.repeat(200_000)}` }));
    expect(result.outcome).toBe('crashed');
    expect(result.summary).toMatch(/too long to pass as one argument/);
  });
});

describe('expandArgv', () => {
  it('never rescans replaced text', () => {
    expect(
      expandArgv(['{prompt}', 'x{cwd}y', '{other}'], { prompt: '{cwd}', promptFile: '/p', cwd: '/w' }),
    ).toEqual(['{cwd}', 'x/wy', '{other}']);
  });
});

describe('command agent: environment', () => {
  const hostile = {
    ...hostEnv,
    GITHUB_TOKEN: 'ghs_secretsecretsecretsecret',
    GH_TOKEN: 'ghs_secretsecretsecretsecret',
    'INPUT_GITHUB-TOKEN': 'ghs_secretsecretsecretsecret',
    ACTIONS_RUNTIME_TOKEN: 'runtime-secret-secret-secret',
    AWS_SECRET_ACCESS_KEY: 'aws',
    ANTHROPIC_API_KEY: 'sk-ant',
  };

  it('starts the agent with the allowlist only', async () => {
    const code = `${RECORD} rec({ keys: Object.keys(process.env).sort(), values: Object.values(process.env) })`;
    const result = await agent(['-e', code], { baseEnv: hostile, envNames: ['ANTHROPIC_API_KEY'] }).run(
      input(),
    );
    expect(result.outcome).toBe('succeeded');
    const { keys, values } = (await received()) as { keys: string[]; values: string[] };
    expect(keys).toEqual([
      'ANTHROPIC_API_KEY',
      'HOME',
      'OMK_ATTEMPT',
      'OMK_PROMPT_FILE',
      'OMK_TASK_ID',
      'OMK_WRITES',
      'PATH',
      'XDG_CACHE_HOME',
      'XDG_CONFIG_HOME',
      'XDG_DATA_HOME',
      'XDG_STATE_HOME',
    ]);
    expect(values).not.toContain('ghs_secretsecretsecretsecret');
  });

  it('refuses a configuration that asks for a GitHub token, before anything runs', () => {
    expect(() => agent(['-e', ''], { baseEnv: hostile, envNames: ['GITHUB_TOKEN'] })).toThrow(ConfigError);
    expect(() => agent(['-e', ''], { baseEnv: hostile, envNames: ['GITHUB_TOKEN'] })).toThrow(/GITHUB_TOKEN/);
  });
});

describe('command agent: outcomes', () => {
  it('writes the full output to the transcript', async () => {
    const result = await agent(['-e', 'console.log("to stdout"); console.error("to stderr")']).run(input());
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0, followUps: [] });
    expect(result.transcript).toBe(join(artifacts, 'transcript-1.log'));
    const transcript = await readFile(result.transcript, 'utf8');
    expect(transcript).toContain('to stdout');
    expect(transcript).toContain('to stderr');
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('non-zero exit → failed, with the last line of output', async () => {
    const result = await agent([
      '-e',
      'console.error("\\u001b[31mboom: tests failed\\u001b[0m"); process.exit(3)',
    ]).run(input());
    expect(result).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(result.summary).toBe('agent exited with code 3: boom: tests failed');
  });

  it('an agent that cannot run here says so in its own words, and is marked as such', async () => {
    const json = JSON.stringify({
      type: 'result',
      is_error: true,
      result: 'Not logged in · Please run /login',
    });
    const result = await agent(['-e', `console.log(${JSON.stringify(json)}); process.exit(1)`], {
      envNames: ['ANTHROPIC_API_KEY'],
    }).run(input());
    expect(result).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      summary: `${process.execPath} cannot run here: Not logged in · Please run /login`,
      environment: { cause: 'login', fix: expect.stringContaining('ANTHROPIC_API_KEY') },
    });
    expect(await readFile(result.transcript, 'utf8')).toContain('cannot run here (login)');
  });

  it('an agent silent for startupSilenceMs after starting is stopped as unable to run here', async () => {
    const started = Date.now();
    const result = await agent(['-e', 'setTimeout(() => {}, 30_000)'], { startupSilenceMs: 300 }).run(
      input(),
    );
    expect(result.environment?.cause).toBe('silent');
    expect(result.outcome).toBe('crashed');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an agent that prints only network failures for networkStallMs is stopped as unable to reach its provider (codex 0.171's own lines)", async () => {
    // What codex 0.171 prints without a network, again and again (test/fixtures/agents/).
    const retry = JSON.stringify({
      type: 'error',
      message: 'Reconnecting... waiting for network (Connection failed: error sending request)',
    });
    const started = Date.now();
    const result = await agent(
      [
        '-e',
        `console.log('{"type":"thread.started"}'); setInterval(() => console.log(${JSON.stringify(retry)}), 50)`,
      ],
      { networkStallMs: 500 },
    ).run(input());
    expect(result.environment?.cause).toBe('network');
    expect(result.environment?.words).toContain('printed only network failures for 1s');
    expect(result.environment?.words).toContain('Reconnecting... waiting for network');
    expect(result.environment?.fix).toContain('agents.networkStall');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('network failures between lines of real work do not stop the agent', async () => {
    const script = [
      'let n = 0;',
      'const timer = setInterval(() => {',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent script's own template string
      "  console.log(n % 2 === 0 ? 'connect ECONNREFUSED 127.0.0.1:5432' : `test ${n} ok`);",
      '  if (++n === 30) { clearInterval(timer); }',
      '}, 30);',
    ].join('\n');
    const result = await agent(['-e', script], { networkStallMs: 200 }).run(input());
    expect(result.environment).toBeUndefined();
    expect(result.outcome).toBe('succeeded');
  });

  it('an agent that ran and failed is not an environment failure', async () => {
    const result = await agent(['-e', 'console.error("2 tests failed"); process.exit(1)']).run(input());
    expect(result.environment).toBeUndefined();
  });

  it('missing executable → crashed, saying what to do', async () => {
    const result = await agent([], { argv: ['omk-no-such-agent-cli', '{prompt}'] }).run(input());
    expect(result.outcome).toBe('crashed');
    expect(result.summary).toBe(
      "agent executable 'omk-no-such-agent-cli' was not found; install it or pick another with --agent",
    );
  });

  it('killed by a signal → crashed', async () => {
    const result = await agent([
      '-e',
      'process.kill(process.pid, "SIGTERM"); setInterval(() => {}, 1000)',
    ]).run(input());
    expect(result).toMatchObject({ outcome: 'crashed', exitCode: null });
    expect(result.summary).toMatch(/SIGTERM/);
  });

  it('timeout → timeout, and the whole process tree is killed', async () => {
    const code = `const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync('grandchild.pid', String(c.pid));
      setInterval(() => {}, 1000);`;
    const result = await agent(['-e', code]).run(input({ timeoutMs: 1_500 }));
    expect(result.outcome).toBe('timeout');
    expect(result.summary).toMatch(/did not finish within 1\.5s/);
    const pid = Number(await readFile(join(cwd, 'grandchild.pid'), 'utf8'));
    // The group's signal is sent when the agent ends; the grandchild's exit lands a moment later.
    expect(await diesWithin(pid, 3_000)).toBe(true);
  });

  it('abort → cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await agent(['-e', 'setInterval(() => {}, 1000)']).run(
      input({ signal: controller.signal }),
    );
    expect(result.outcome).toBe('cancelled');
  });

  it('an already aborted run does not start the agent', async () => {
    const result = await agent(['-e', `${RECORD} rec('started')`]).run(
      input({ signal: AbortSignal.abort() }),
    );
    expect(result.outcome).toBe('cancelled');
    await expect(stat(join(cwd, 'received.json'))).rejects.toThrow();
  });

  it('a missing workspace → crashed without starting anything', async () => {
    const result = await agent(['-e', '']).run(input({ cwd: join(root, 'gone') }));
    expect(result.outcome).toBe('crashed');
    expect(result.summary).toMatch(/does not exist/);
  });
});

describe('command agent: usage and follow-ups', () => {
  it('parses usage from JSON output and records it as an artifact', async () => {
    const out = JSON.stringify({
      result: 'ok',
      total_cost_usd: 0.25,
      usage: { input_tokens: 100, output_tokens: 23 },
    });
    const result = await agent(['-e', `console.log(${JSON.stringify(out)})`], { usage: 'claude' }).run(
      input(),
    );
    expect(result.usage).toEqual({ tokens: 123, usd: 0.25 });
    const artifact = JSON.parse(await readFile(join(artifacts, 'usage-1.json'), 'utf8'));
    expect(artifact).toEqual({ version: 1, parser: 'claude', tokens: 123, usd: 0.25 });
  });

  it('unknown output → null usage, not a failure', async () => {
    const result = await agent(['-e', 'console.log("done")'], { usage: 'json' }).run(input());
    expect(result).toMatchObject({ outcome: 'succeeded', usage: { tokens: null, usd: null } });
  });

  it('returns valid follow-ups, reports invalid ones and removes the file', async () => {
    const proposals = [
      { title: 'Document the parser', writes: ['docs/parser.md'] },
      { title: 'no paths' },
      { id: 'NOT VALID', title: 'x', writes: ['a'] },
    ];
    const code = `const fs = require('node:fs'); fs.mkdirSync('.omk');
      fs.writeFileSync('.omk/follow-ups.json', ${JSON.stringify(JSON.stringify(proposals))});`;
    const result = await agent(['-e', code]).run(input());
    expect(result.outcome).toBe('succeeded');
    expect(result.followUps).toEqual([
      expect.objectContaining({
        id: 'document-the-parser',
        dependsOn: ['fix-it'],
        writes: ['docs/parser.md'],
      }),
    ]);
    expect(result.summary).toMatch(/2 follow-up problem\(s\); see transcript/);
    const transcript = await readFile(result.transcript, 'utf8');
    expect(transcript).toMatch(/follow-up #2 dropped: writes/);
    expect(transcript).toMatch(/follow-up #3 dropped: id/);
    expect(await readdir(cwd)).toEqual([]);
  });
});

/** Alive and not a zombie (an orphan killed in a container may wait for a reaper). */
/** Whether the process is gone (or a zombie) within `ms`, polled every 25 ms. */
async function diesWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (await alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

async function alive(pid: number): Promise<boolean> {
  try {
    const procStat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return procStat.slice(procStat.lastIndexOf(')') + 2, procStat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('command agent: transcript size', () => {
  it('keeps the head and tail of an agent that prints far more than the transcript limit', async () => {
    const code = "process.stdout.write('AGENT START\\n' + 'y'.repeat(2_000_000) + '\\nAGENT SUMMARY\\n')";
    const result = await agent(['-e', code], {
      run: (spec) => runProcess({ ...spec, logMaxBytes: 32 * 1024 }),
    }).run(input());
    expect(result.outcome).toBe('succeeded');
    const transcript = await readFile(result.transcript, 'utf8');
    expect(transcript).toContain('AGENT START');
    expect(transcript.trimEnd().endsWith('AGENT SUMMARY')).toBe(true);
    expect(transcript).toContain('bytes of output cut here');
    expect((await stat(result.transcript)).size).toBeLessThan(40 * 1024);
  });
});

describe('command agent: sandboxed', () => {
  it("passes the confinement on, with the agent's own HOME writable", async () => {
    const specs: ProcessSpec[] = [];
    const run: ProcessRunner = async (spec) => {
      specs.push(spec);
      return runProcess(spec);
    };
    const confined = agent(['-e', '0'], { run });
    const result = await confined.run(input({ confine: { writable: ['/cache'], readable: ['/goal'] } }));
    expect(result.outcome).toBe('succeeded');
    const home = specs[0]?.env.HOME ?? '';
    expect(home).not.toBe(hostEnv.HOME);
    expect(specs[0]?.confine).toEqual({ writable: ['/cache', home], readable: ['/goal'] });
    await agent(['-e', '0'], { run }).run(input());
    expect(specs[1]?.confine).toBeUndefined();
  });
});

describe('command agent: its own HOME', () => {
  it('runs with a fresh HOME and XDG directories holding only its login, removed after the run', async () => {
    const user = join(root, 'user-home');
    await mkdir(join(user, '.ssh'), { recursive: true });
    await writeFile(join(user, '.ssh', 'id_rsa'), 'PRIVATE KEY\n');
    await writeFile(join(user, '.tool.json'), '{"login":"yes"}');
    const code = `${RECORD}
const { join } = require('node:path');
const home = process.env.HOME;
const read = (p) => { try { return fs.readFileSync(join(home, p), 'utf8'); } catch { return null; } };
fs.writeFileSync(join(home, '.gitconfig'), '[credential]\\n\\thelper = evil\\n');
rec({ home, xdg: [process.env.XDG_CONFIG_HOME, process.env.XDG_CACHE_HOME, process.env.XDG_DATA_HOME, process.env.XDG_STATE_HOME], key: read('.ssh/id_rsa'), login: read('.tool.json') });`;
    const result = await agent(['-e', code], {
      baseEnv: { ...hostEnv, HOME: user },
      home: [{ path: '.tool.json' }],
    }).run(input());
    expect(result.outcome, result.summary).toBe('succeeded');
    const got = (await received()) as {
      home: string;
      xdg: string[];
      key: string | null;
      login: string | null;
    };
    expect(got.home).not.toBe(user);
    expect(got.xdg).toEqual(
      ['.config', '.cache', '.local/share', '.local/state'].map((d) => join(got.home, d)),
    );
    expect(got.key).toBeNull();
    expect(got.login).toBe('{"login":"yes"}');
    expect(existsSync(join(user, '.gitconfig'))).toBe(false);
    expect(existsSync(got.home)).toBe(false);
  });
});
