#!/usr/bin/env node
// Prepared workspaces benchmark: what it costs to give a worktree the project's node_modules.
//
//  1. A Node project (a git repository) whose devDependencies are a few common tools, installed
//     once with npm into a private cache; package.json, the lockfile and .gitignore are committed.
//  2. Each round times, on the same machine state:
//     - `npm ci --prefer-offline --no-audit --no-fund` in a fresh clone (warm private cache: the
//       best case for an install);
//     - omk preparing worktrees, as reported by the real CLI: `omk goal run` of a one-slice fix
//       goal, whose `workspace_prepared` events say "node_modules from the checkout: <how>
//       (N files, X ms)": the goal's first worktree (the base's, whose gates run only the base
//       commit: hard links to the checkout's own files, while omk's shared copy is made from the
//       checkout in the background; the row keeps its name "cold cache (copy)", which
//       test/bench/smoke-loop-prepare.test.ts reads), then the slice's and the integration's (linked to omk's
//       copy: the slice's time includes waiting for that copy when it is not made yet); then a
//       second goal in the same state root, whose first worktree is the base's again (its time
//       includes no copy either). The slice's test gate (which calls the tools from
//       node_modules/.bin) must pass;
//     - for reference, the other ways to share a directory: `cp -al` (hard links: an agent writing
//       into a file changes the user's copy), `cp -R --reflink=auto`, and Node's `fs.cp`.
//
//   node bench/prepare.mjs [--repeat 5] [--json]
//   node bench/prepare.mjs --smoke        # one tiny package packed here, offline, one round: checks it works
//
// Exits non-zero only when a correctness check fails; timings are figures. See docs/benchmarks.md.

import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  git,
  load1,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  printJson,
  round1,
  runBench,
  snapshotOmk,
  summarize,
  timeOmk,
  timeSpawn,
} from './lib.mjs';

const FULL = {
  devDependencies: {
    typescript: '7.0.2',
    eslint: '10.16.0',
    prettier: '3.10.1',
    vitest: '4.1.12',
    webpack: '5.113.0',
  },
  test: 'tsc --version && eslint --version && prettier --version && vitest --version',
};
/**
 * The smoke installs one tiny package packed here (`npm pack`), offline: `npm test` runs it, and a
 * test reaches no registry.
 */
function smokeProject() {
  const dir = makeTempDir('prepare-tool');
  mkdirSync(join(dir, 'bin'));
  const manifest = { name: 'tinytool', version: '1.0.0', bin: { tinytool: 'bin/tinytool.js' } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  writeFileSync(
    join(dir, 'bin', 'tinytool.js'),
    "#!/usr/bin/env node\nconsole.log('tinytool', process.argv[2]);\n",
    {
      mode: 0o755,
    },
  );
  expectSuccess('npm pack', timeSpawn('npm', ['pack', '--silent'], { cwd: dir }));
  return {
    devDependencies: { tinytool: `file:${join(dir, 'tinytool-1.0.0.tgz')}` },
    test: 'tinytool 1.2.3',
    npmFlags: ['--offline'],
  };
}

const PREPARED = /^node_modules from the checkout: (.+) \((\d+) files, (\d+) ms\)$/;

await runBench(async () => {
  const { values } = parseArgs({
    options: {
      repeat: { type: 'string', default: '5' },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const project = values.smoke ? smokeProject() : { ...FULL, npmFlags: [] };
  const repeat = values.smoke ? 1 : Number(values.repeat);
  const bin = snapshotOmk();
  const loadBefore = load1();

  const repo = createTempGitRepo('prepare-project');
  const npmCache = join(makeTempDir('npm-cache'), 'cache');
  const packageJson = { name: 'bench', private: true, scripts: { test: project.test }, ...project };
  delete packageJson.test;
  delete packageJson.npmFlags;
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'parser.js'), 'export const parse = (text) => text;\n');
  log(`installing ${Object.keys(project.devDependencies).join(', ')} once (private npm cache)...`);
  expectSuccess(
    'npm install',
    timeSpawn('npm', ['install', ...project.npmFlags, '--no-audit', '--no-fund', '--cache', npmCache], {
      cwd: repo,
    }),
  );
  git(repo, ['add', 'package.json', 'package-lock.json', '.gitignore', 'src/parser.js']);
  git(repo, ['commit', '-q', '-m', 'project']);
  const files = countFiles(join(repo, 'node_modules'));
  log(`node_modules: ${files} files`);

  const agentDir = makeTempDir('prepare-agent');
  const agent = join(agentDir, 'agent.mjs');
  writeFileSync(
    agent,
    "#!/usr/bin/env node\nimport { appendFileSync } from 'node:fs';\nappendFileSync('src/parser.js', '// touched\\n');\n",
    { mode: 0o755 },
  );
  const scratch = makeTempDir('prepare-scratch');

  const samples = {
    npmCi: [],
    first: [],
    further: [],
    laterGoal: [],
    hardlinks: [],
    cpReflink: [],
    fsCp: [],
  };
  for (let round = 0; round < repeat; round++) {
    // npm ci in a fresh clone (only committed files: no node_modules).
    const clone = join(scratch, `clone-${round}`);
    git(scratch, ['clone', '-q', repo, clone]);
    const ci = expectSuccess(
      'npm ci',
      timeSpawn(
        'npm',
        ['ci', '--prefer-offline', ...project.npmFlags, '--no-audit', '--no-fund', '--cache', npmCache],
        {
          cwd: clone,
        },
      ),
    );
    samples.npmCi.push(ci.ms);
    rmSync(clone, { recursive: true, force: true });

    const stateDir = makeTempDir('prepare-state');
    const omk = prepareWithOmk(bin, repo, agent, stateDir);
    samples.first.push(omk.first);
    samples.further.push(...omk.further);
    // A second goal on the same checkout and lockfile: the copy is already in the shared cache.
    const later = prepareWithOmk(bin, repo, agent, stateDir);
    samples.laterGoal.push(later.first);

    for (const [key, run] of [
      ['hardlinks', (to) => timeSpawn('cp', ['-al', join(repo, 'node_modules'), to])],
      ['cpReflink', (to) => timeSpawn('cp', ['-R', '--reflink=auto', join(repo, 'node_modules'), to])],
      [
        'fsCp',
        (to) =>
          timeFn(() => cpSync(join(repo, 'node_modules'), to, { recursive: true, verbatimSymlinks: true })),
      ],
    ]) {
      const to = join(scratch, `${key}-${round}`);
      const result = run(to);
      if (result.status === 0) samples[key].push(result.ms);
      rmSync(to, { recursive: true, force: true });
    }
    log(
      `round ${round + 1}/${repeat}: npm ci ${round1(ci.ms)} ms, omk: first ${omk.first} ms, then ${omk.further.join(', ')} ms; later goal's first ${later.first} ms`,
    );
  }

  const rows = [
    ['npm ci --prefer-offline (warm cache)', samples.npmCi],
    ["omk: a goal's first worktree, cold cache (copy)", samples.first],
    ['omk: each further worktree (links)', samples.further],
    ["omk: a later goal's first worktree (links)", samples.laterGoal],
    ['cp -al (hard links, unsafe)', samples.hardlinks],
    ['cp -R --reflink=auto', samples.cpReflink],
    ['fs.cpSync', samples.fsCp],
  ].filter(([, list]) => list.length > 0);
  const summary = Object.fromEntries(rows.map(([name, list]) => [name, summarize(list)]));
  const npmCi = summarize(samples.npmCi).median;
  const ratio = (list) => Math.round((summarize(list).median / npmCi) * 1000) / 1000;
  const report = {
    machine: machineInfo(),
    load: { before: loadBefore, after: load1() },
    packages: project.devDependencies,
    nodeModulesFiles: files,
    repeat,
    summary,
    overNpmCi: {
      first: ratio(samples.first),
      further: ratio(samples.further),
      laterGoal: ratio(samples.laterGoal),
    },
  };
  if (values.json) return printJson(report);
  process.stdout.write(
    formatTable(
      ['case', 'median ms', 'p95 ms', 'min ms'],
      Object.entries(summary).map(([name, s]) => [name, s.median, s.p95, s.min]),
    ),
  );
  process.stdout.write(
    `\nnode_modules: ${files} files; over npm ci (medians): first worktree (cold cache) ${report.overNpmCi.first}, further ${report.overNpmCi.further}, a later goal's first ${report.overNpmCi.laterGoal}; load ${report.load.before} → ${report.load.after}\n`,
  );
});

/**
 * One goal run with a one-slice goal; returns the preparation times omk reported (the goal's
 * first worktree, then the others), after checking the slice's test gate passed.
 */
function prepareWithOmk(bin, repo, agent, stateDir) {
  const run = timeOmk(
    bin,
    ['goal', 'run', 'fix the bug in src/parser.js', '--agent', `script:${agent}`, '--json'],
    {
      cwd: repo,
      stateDir,
    },
  );
  expectSuccess('omk goal run', run);
  const id = parseJsonOutput('omk goal run', run.stdout).goal?.id;
  const events = readFileSync(join(stateDir, 'goals', id, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const verified = events.find((event) => event.type === 'gates_verified');
  if (JSON.stringify(verified?.data.outcomes) !== '["test:passed"]') {
    throw new BenchError(`the slice's gates did not pass: ${JSON.stringify(verified?.data.outcomes)}`);
  }
  const times = events
    .filter((event) => event.type === 'workspace_prepared')
    .map((event) => {
      const match = PREPARED.exec(event.data.done?.[0] ?? '');
      if (!match)
        throw new BenchError(
          `a worktree did not get the checkout's node_modules: ${JSON.stringify(event.data)}`,
        );
      return Number(match[3]);
    });
  if (times.length < 2)
    throw new BenchError(`expected the slice and the integration prepared, got ${times.length}`);
  return { first: times[0], further: times.slice(1) };
}

function timeFn(fn) {
  const start = performance.now();
  fn();
  return { ms: performance.now() - start, status: 0 };
}

function countFiles(dir) {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) count += 1;
  return count;
}
