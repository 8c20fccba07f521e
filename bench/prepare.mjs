#!/usr/bin/env node
// Prepared workspaces benchmark: what it costs to give a worktree the project's node_modules.
//
//  1. A Node project (a git repository) whose devDependencies are a few common tools, installed
//     once with npm into a private cache; package.json, the lockfile and .gitignore are committed.
//  2. Each round times, on the same machine state:
//     - `npm ci --prefer-offline --no-audit --no-fund` in a fresh clone (warm private cache: the
//       best case for an install);
//     - omk preparing a slice worktree, as reported by the real CLI: `omk goal run` of a one-slice
//       goal, whose `workspace_prepared` event says "node_modules copied from the checkout
//       (N files, X ms)"; the run must end ready with the test gate (which calls the tools from
//       node_modules/.bin) passed on the slice;
//     - for reference, the other ways to share a directory: `cp -al` (hard links: an agent writing
//       into a file changes the user's copy), `cp -R --reflink=auto`, and Node's `fs.cp`.
//
//   node bench/prepare.mjs [--repeat 5] [--json]
//   node bench/prepare.mjs --smoke        # one tiny package, one round: checks it works
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
const SMOKE = { devDependencies: { semver: '7.7.2' }, test: 'semver 1.2.3' };

const COPIED = /^node_modules copied from the checkout \((\d+) files, (\d+) ms\)$/;

await runBench(async () => {
  const { values } = parseArgs({
    options: {
      repeat: { type: 'string', default: '5' },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const project = values.smoke ? SMOKE : FULL;
  const repeat = values.smoke ? 1 : Number(values.repeat);
  const bin = snapshotOmk();
  const loadBefore = load1();

  const repo = createTempGitRepo('prepare-project');
  const npmCache = join(makeTempDir('npm-cache'), 'cache');
  const packageJson = { name: 'bench', private: true, scripts: { test: project.test }, ...project };
  delete packageJson.test;
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'parser.js'), 'export const parse = (text) => text;\n');
  log(`installing ${Object.keys(project.devDependencies).join(', ')} once (private npm cache)...`);
  expectSuccess(
    'npm install',
    timeSpawn('npm', ['install', '--no-audit', '--no-fund', '--cache', npmCache], { cwd: repo }),
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

  const samples = { npmCi: [], prepare: [], hardlinks: [], cpReflink: [], fsCp: [] };
  for (let round = 0; round < repeat; round++) {
    // npm ci in a fresh clone (only committed files: no node_modules).
    const clone = join(scratch, `clone-${round}`);
    git(scratch, ['clone', '-q', repo, clone]);
    const ci = expectSuccess(
      'npm ci',
      timeSpawn('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--cache', npmCache], {
        cwd: clone,
      }),
    );
    samples.npmCi.push(ci.ms);
    rmSync(clone, { recursive: true, force: true });

    samples.prepare.push(prepareWithOmk(bin, repo, agent, makeTempDir('prepare-state')));

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
      `round ${round + 1}/${repeat}: npm ci ${round1(ci.ms)} ms, omk prepare ${round1(samples.prepare.at(-1))} ms`,
    );
  }

  const rows = [
    ['npm ci --prefer-offline (warm cache)', samples.npmCi],
    ['omk: prepare a worktree (copy)', samples.prepare],
    ['cp -al (hard links, unsafe)', samples.hardlinks],
    ['cp -R --reflink=auto', samples.cpReflink],
    ['fs.cpSync', samples.fsCp],
  ].filter(([, list]) => list.length > 0);
  const summary = Object.fromEntries(rows.map(([name, list]) => [name, summarize(list)]));
  const ratio = summarize(samples.prepare).median / summarize(samples.npmCi).median;
  const report = {
    machine: machineInfo(),
    load: { before: loadBefore, after: load1() },
    packages: project.devDependencies,
    nodeModulesFiles: files,
    repeat,
    summary,
    prepareOverNpmCi: Math.round(ratio * 1000) / 1000,
  };
  if (values.json) return printJson(report);
  process.stdout.write(
    formatTable(
      ['case', 'median ms', 'p95 ms', 'min ms'],
      Object.entries(summary).map(([name, s]) => [name, s.median, s.p95, s.min]),
    ),
  );
  process.stdout.write(
    `\nnode_modules: ${files} files; prepare / npm ci (medians): ${report.prepareOverNpmCi}; load ${report.load.before} → ${report.load.after}\n`,
  );
});

/**
 * One goal run with a one-slice goal; returns the slice's preparation time as omk reported it,
 * after checking the run is ready with the test gate passed on the slice.
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
  const prepared = events.find((event) => event.type === 'workspace_prepared');
  const match = COPIED.exec(prepared?.data.done?.[0] ?? '');
  if (!match)
    throw new BenchError(`the slice worktree was not prepared by copying: ${JSON.stringify(prepared?.data)}`);
  return Number(match[2]);
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
