#!/usr/bin/env node
// npm run check:agents [-- --dir <folder>] [--only claude,codex] [--json]
//
// The presets' contract with the agent CLIs as they are on npm today. Installs claude, codex,
// gemini and opencode into a folder of their own (never the project's dependencies: they weigh
// hundreds of MB), then, with no credentials and a fresh HOME, for each preset:
//   1. `omk doctor --agent <preset>`: the CLI's version, and whether its help lists every flag the
//      preset passes;
//   2. `omk goal run … --agent <preset>` on a small repository with a failing test: omk must stop
//      before any attempt (exit 6), recognising the missing login or key, with zero attempts spent
//      (before a goal exists when the credentials preflight or the planning run stops it).
// Prints one table row per CLI and exits 1 when a row is not green. Needs the npm registry; it is
// not part of `npm test`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OMK = join(ROOT, 'bin', 'omk.js');
const CLIS = [
  { preset: 'claude', pkg: '@anthropic-ai/claude-code' },
  { preset: 'codex', pkg: '@openai/codex' },
  { preset: 'gemini', pkg: '@google/gemini-cli' },
  { preset: 'opencode', pkg: 'opencode-ai' },
];
/** Credentials the CLIs read from the environment: removed so every run is credential-free. */
const CREDENTIAL_VARS = /^(ANTHROPIC_|OPENAI_|GEMINI_|GOOGLE_|CLAUDE_|CODEX_|OPENCODE_|AWS_|AZURE_)/;

function args() {
  const argv = process.argv.slice(2);
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const only = value('--only')?.split(',');
  const unknown = only?.filter((name) => !CLIS.some((cli) => cli.preset === name)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `check-agents: --only: unknown preset ${unknown.join(', ')}; known: ${CLIS.map((c) => c.preset).join(', ')}`,
    );
    process.exit(2);
  }
  return { dir: value('--dir'), only, json: argv.includes('--json') };
}

function run(file, argv, options) {
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function install(dir, clis) {
  const missing = clis.filter(
    (cli) => !existsSync(join(dir, 'node_modules', ...cli.pkg.split('/'), 'package.json')),
  );
  if (missing.length === 0) return;
  await mkdir(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) {
    await writeFile(join(dir, 'package.json'), '{ "name": "omk-agent-clis", "private": true }\n');
  }
  console.error(`check-agents: installing ${missing.map((cli) => cli.pkg).join(' ')} into ${dir} …`);
  const result = await run('npm', ['install', '--no-audit', '--no-fund', ...missing.map((cli) => cli.pkg)], {
    cwd: dir,
  });
  if (result.code !== 0) {
    console.error(result.stderr.trim());
    console.error('check-agents: npm install failed: is the npm registry reachable?');
    process.exit(1);
  }
}

async function fixtureRepo(parent) {
  const repo = join(parent, 'repo');
  const files = {
    'package.json': '{ "name": "fixture", "type": "module", "scripts": { "test": "node --test" } }\n',
    'src/math.js': 'export const add = (a, b) => a - b;\n',
    'test/math.test.js':
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/math.js';\ntest('add', () => assert.equal(add(2, 3), 5));\n",
    // A CLI that hangs at start is stopped after this instead of the default minute.
    '.omk/config.yml': 'version: 1\nagents:\n  startupSilence: 20s\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  const git = (...a) => execFileSync('git', a, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=omk', '-c', 'user.email=omk@example.invalid', 'commit', '-qm', 'base');
  return repo;
}

/** The cause an omk "cannot run here" line names, in the words of docs/agents.md's table. */
function causeOf(line) {
  const causes = [
    ['silent', /printed nothing/i],
    ['arguments', /unexpected argument|unknown (?:option|argument)|unrecognized/i],
    ['login', /not logged in|\/login|log ?in\b/i],
    ['credentials', /no credentials|auth method|api[ _-]?key|401|403/i],
    ['quota', /429|rate limit|quota/i],
    ['network', /network|connect|lookup address/i],
  ];
  return causes.find(([, pattern]) => pattern.test(line))?.[0] ?? 'other';
}

async function check(cli, { repo, env, stateDir }) {
  const row = { cli: cli.preset, version: null, flags: 'no', environment: 'no', attempts: null, message: '' };
  const doctor = await run(process.execPath, [OMK, 'doctor', '--agent', cli.preset, '--json'], {
    cwd: repo,
    env,
  });
  try {
    const agent = JSON.parse(doctor.stdout).checks.find((c) => c.id === 'agent');
    row.version = /version ([^;,]+)/.exec(agent?.detail ?? '')?.[1]?.trim() ?? null;
    // Judged on doctor's own words, whatever else the check says (codex without a login fails it).
    row.flags = /lists every flag it passes/.test(agent?.detail ?? '') ? 'yes' : 'no';
    if (row.flags === 'no') row.message = agent?.detail ?? doctor.stderr.trim();
  } catch {
    row.message = `omk doctor printed no JSON: ${doctor.stderr.trim().split('\n')[0]}`;
  }
  const goal = await run(
    process.execPath,
    [OMK, 'goal', 'run', 'fix the failing test in src/math.js', '--agent', cli.preset, '--json'],
    { cwd: repo, env, timeout: 180_000 },
  );
  const id = /goal ([a-z0-9-]+-[0-9a-f]{6})/.exec(goal.stderr)?.[1] ?? null;
  const goals = await run(process.execPath, [OMK, 'goal', 'list', '--json'], { cwd: repo, env });
  const latest = JSON.parse(goals.stdout || '[]')[0]?.id ?? id;
  const stopped = goal.stderr.split('\n').find((line) => /cannot run here/.test(line));
  if (!latest && goal.code === 6 && stopped !== undefined) {
    // Stopped before any goal existed: by the credentials preflight, or while the agent planned.
    const stage = /could not plan this goal/.test(stopped) ? 'while planning' : 'before starting';
    row.environment = `yes (${causeOf(stopped)}, ${stage})`;
    row.attempts = 0;
  } else if (latest) {
    const graph = JSON.parse(await readFile(join(stateDir, 'goals', latest, 'task-graph.json'), 'utf8'));
    row.attempts = graph.tasks.reduce((sum, task) => sum + task.attempts, 0);
    const events = (await readFile(join(stateDir, 'goals', latest, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const finished = events.filter((e) => e.type === 'agent_finished');
    const recognised = finished.length > 0 && finished.every((e) => typeof e.data.unavailable === 'string');
    row.environment = goal.code === 6 && recognised ? `yes (${finished[0].data.unavailable})` : 'no';
    await run(process.execPath, [OMK, 'goal', 'cancel', latest, '--reason', 'check-agents'], {
      cwd: repo,
      env,
    });
  }
  const said = goal.stderr.split('\n').find((line) => /cannot run here|not attempted|error/.test(line));
  if (!row.message) row.message = (said ?? `exit ${goal.code}`).replace(/^omk: (error: )?/, '').slice(0, 160);
  row.green = row.flags === 'yes' && row.environment.startsWith('yes') && row.attempts === 0;
  return row;
}

async function main() {
  const options = args();
  const clis = CLIS.filter((cli) => !options.only || options.only.includes(cli.preset));
  const dir = options.dir ?? join(tmpdir(), 'omk-agent-clis');
  await install(dir, clis);
  const scratch = await mkdtemp(join(tmpdir(), 'omk-check-agents-'));
  try {
    const repo = await fixtureRepo(scratch);
    const home = join(scratch, 'home');
    await mkdir(home);
    const stateDir = join(scratch, 'state');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !CREDENTIAL_VARS.test(name)),
    );
    Object.assign(env, {
      PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      OMK_STATE_DIR: stateDir,
    });
    const rows = [];
    for (const cli of clis) rows.push(await check(cli, { repo, env, stateDir }));
    if (options.json) {
      console.log(JSON.stringify(rows, null, 2));
    } else {
      console.log(
        '| CLI | version | preset flags accepted | environment failure recognised | attempts spent | omk said |',
      );
      console.log('|---|---|---|---|---|---|');
      for (const row of rows) {
        const mark = row.green ? '✓' : '✗';
        console.log(
          `| ${mark} ${row.cli} | ${row.version ?? '?'} | ${row.flags} | ${row.environment} | ${row.attempts ?? '?'} | ${row.message.replace(/\|/g, '\\|')} |`,
        );
      }
    }
    process.exitCode = rows.every((row) => row.green) ? 0 : 1;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
