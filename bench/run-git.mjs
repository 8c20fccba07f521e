#!/usr/bin/env node
// What omk's own git guard costs per command: `runGit` (src/adapters/git/run-git.ts) reads the
// repository's config before a command that carries auth (to refuse a planted redirect or proxy)
// and before one that can hand a file to a filter, merge driver or textconv (to switch each off).
// Each command is timed through omk's runGit (bundled from src/) and as the same git call made
// directly (the same hardening flags and environment, no config read), on a repository whose
// config looks like a real one: an origin with a tracking branch and the filters git-lfs installs.
// The repository's config settles during the warm-up, so the timed calls mostly use the listing
// runGit keeps while the config files are unchanged (src/adapters/git/config-keys-cache.ts).
//
//   node bench/run-git.mjs [--repeat 40] [--json] [--smoke]
//
// --smoke: --repeat 2. Exits non-zero when a command fails, or when runGit no longer refuses to
// send a token through a planted proxy (the guard being timed must be the one in force).
// See docs/benchmarks.md.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  BenchError,
  bundleWithFakeGitHub,
  createTempGitRepo,
  formatTable,
  git,
  load1,
  log,
  machineInfo,
  makeTempDir,
  printJson,
  ROOT,
  round1,
  runBench,
  SMOKE_NOTE,
  summarize,
  withSizes,
} from './lib.mjs';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string' },
    json: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const sizes = withSizes(values, { repeat: '40' }, { repeat: '2' });
const repeat = Number(sizes.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  log(`bench: --repeat must be a whole number of runs, at least 1 (got ${sizes.repeat})`);
  process.exit(2);
}

/** What actions/checkout would hand git: an auth header for the remote, in the environment. */
const AUTH = {
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'http.https://github.example/.extraheader',
  GIT_CONFIG_VALUE_0: 'AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46YmVuY2g=',
};

/** A repository with an origin (a local bare repository), a tracking branch and git-lfs's filters. */
function fixture() {
  const repo = createTempGitRepo('run-git');
  const bare = join(makeTempDir('run-git-origin'), 'origin.git');
  git(repo, ['clone', '-q', '--bare', repo, bare]);
  git(repo, ['remote', 'add', 'origin', bare]);
  git(repo, ['fetch', '-q', 'origin']);
  git(repo, ['branch', '-q', '--set-upstream-to', 'origin/main', 'main']);
  git(repo, ['config', 'filter.lfs.clean', 'git-lfs clean -- %f']);
  git(repo, ['config', 'filter.lfs.smudge', 'git-lfs smudge -- %f']);
  git(repo, ['config', 'filter.lfs.process', 'git-lfs filter-process']);
  git(repo, ['config', 'filter.lfs.required', 'true']);
  writeFileSync(join(repo, 'notes.txt'), 'an untracked file for status to report\n');
  return repo;
}

/** The same git call runGit ends with, made directly: its flags, its environment, no config read. */
function plainGit(hardened, args, cwd, env) {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...hardened, ...args],
      {
        cwd,
        env: {
          ...process.env,
          ...env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_ATTR_NOSYSTEM: '1',
          LANG: 'C',
          LC_ALL: 'C',
        },
        encoding: 'utf8',
      },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

await runBench(async () => {
  const { runGit, HARDENED_CONFIG } = await bundleWithFakeGitHub('run-git', {
    entryPoints: [join(ROOT, 'src', 'adapters', 'git', 'run-git.ts')],
  });
  const repo = fixture();

  // The guard in force: a planted proxy stops a call that carries a token.
  const planted = createTempGitRepo('run-git-planted');
  git(planted, ['config', 'remote.origin.proxy', 'http://127.0.0.1:9']);
  const refused = await runGit(['ls-remote', '.'], { cwd: planted, env: AUTH }).then(
    () => false,
    () => true,
  );
  if (!refused) throw new BenchError('runGit sent a token through a planted remote.origin.proxy');

  const commands = [
    { name: 'rev-parse HEAD', reads: 'none', args: ['rev-parse', 'HEAD'], env: {} },
    { name: 'status --porcelain', reads: 'drivers', args: ['status', '--porcelain'], env: {} },
    { name: 'ls-remote origin (token)', reads: 'redirects', args: ['ls-remote', 'origin'], env: AUTH },
    {
      name: 'pull --ff-only (token)',
      reads: 'drivers, redirects',
      args: ['pull', '--ff-only', '--quiet', 'origin', 'main'],
      env: AUTH,
    },
  ];
  const cases = commands.flatMap((command) => [
    { name: `${command.name} direct`, run: () => plainGit(HARDENED_CONFIG, command.args, repo, command.env) },
    { name: `${command.name} runGit`, run: () => runGit(command.args, { cwd: repo, env: command.env }) },
  ]);
  const samples = new Map(cases.map((c) => [c.name, []]));
  const before = load1();
  // Interleaved rounds, one warm-up: a burst of load spreads over all cases.
  for (let round = -1; round < repeat; round++) {
    for (const c of cases) {
      const start = performance.now();
      try {
        await c.run();
      } catch (error) {
        throw new BenchError(`${c.name}: ${error.message}`);
      }
      if (round >= 0) samples.get(c.name).push(performance.now() - start);
    }
  }

  const report = { machine: machineInfo(), load1: { before, after: load1() }, repeat, commands: [] };
  const rows = [];
  for (const command of commands) {
    const direct = summarize(samples.get(`${command.name} direct`));
    const guarded = summarize(samples.get(`${command.name} runGit`));
    const added = round1(guarded.median - direct.median);
    rows.push([command.name, command.reads, direct.median, guarded.median, added, direct.p95, guarded.p95]);
    report.commands.push({
      command: command.name,
      reads: command.reads,
      direct,
      runGit: guarded,
      addedMedianMs: added,
    });
  }
  if (values.json) {
    printJson(report);
    return;
  }
  const out = [];
  if (values.smoke) out.push(SMOKE_NOTE);
  out.push(`runGit: ${repeat} runs each, load ${before} → ${report.load1.after}; times in ms\n`);
  out.push(
    formatTable(
      ['command', 'config read for', 'direct median', 'runGit median', 'added', 'direct p95', 'runGit p95'],
      rows,
    ),
  );
  process.stdout.write(out.join('\n'));
});
