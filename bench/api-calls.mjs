#!/usr/bin/env node
// GitHub API calls benchmark: how many REST calls omk makes to deliver a goal to GitHub and merge
// it, counted by operation on the fake GitHub server the end-to-end tests use (a loopback HTTP
// API backed by a real bare repository, every request validated against GitHub's OpenAPI
// description). The fake is TypeScript, so it is bundled with esbuild (a devDependency) into a
// temp dir when the bench starts; the CLI runs as a user runs it (`node bin/omk.js`, async: the
// fake answers from this process, so a synchronous child would deadlock it).
//
//   node bench/api-calls.mjs [--json] [--smoke]
//
// --smoke: the 2-slice script case alone, with no spacing between write requests
// (OMK_GITHUB_WRITE_INTERVAL_MS=0: the fake has no secondary rate limit, and the spacing changes no
// count), a few seconds; every check still runs. The full run keeps the CLI's default spacing (a
// second apart, as GitHub asks; a case makes about 16 writes). `npm test` runs it
// (test/bench/smoke-delivery.test.ts) so the script cannot rot.
//
// Cases: the demo goal (2 slices, built-in demo agent) and goals of 2 and 4 independent slices
// done by a script agent; each is `goal run ... --policy auto-pr --merge-policy gated --forge
// github` into an unprotected main (the gated merge happens in the run), then `goal open-pr`
// again (the cost of an idempotent rerun). Exits non-zero only when a correctness check fails
// (a run fails, the goal is not merged, PRs are missing or duplicated, or the fake saw a request
// that does not match GitHub's description). Targets are reported, never enforced.

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  bundleWithFakeGitHub,
  formatTable,
  git,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  printJson,
  ROOT,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
} from './lib.mjs';

const OWNER = 'acme';
const REPO = 'widgets';
const TOKEN = 'ghs_bench_token_0123456789abcdef';

/**
 * The one case --smoke runs: its script agent is the bench's own code (the demo agent is tested
 * elsewhere), and 2 slices still make slice PRs, an integrator PR and a merge.
 */
const SMOKE_CASE = 'script, 2 slices';

/** Targets from the GitHub delivery issue. */
const TARGET_PER_SLICE_PR = 3;
const targetPerGoal = (slices) => 8 + 3 * slices;

/** Which phase each operation belongs to. */
const DELIVERY_OPS = new Set([
  'pulls/create',
  'pulls/list',
  'pulls/update',
  'issues/add-labels',
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
]);
const MERGE_EVAL_OPS = new Set([
  'pulls/get',
  'pulls/list-reviews',
  'checks/list-for-ref',
  'repos/get-combined-status-for-ref',
  'repos/get-branch-protection',
]);

/** A Node project whose `npm test` passes, with four files a script agent can touch. */
const SCRIPT_FILES = {
  'package.json': `${JSON.stringify(
    { name: 'bench-fixture', private: true, type: 'module', scripts: { test: 'node --test test/' } },
    null,
    2,
  )}\n`,
  'README.md': '# bench fixture\n',
  'docs/guide.md': '# guide\n',
  'src/format.js': 'export const format = (text) => text;\n',
  'src/parser.js': 'export const parse = (text) => text;\n',
  'test/parser.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('parse keeps text', () => assert.equal(parse('a'), 'a'));",
    '',
  ].join('\n'),
};

/** Appends a comment in the file's own syntax to every path in the slice's write set. */
const TOUCH_AGENT = `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
const writes = JSON.parse(process.env.OMK_WRITES ?? '[]');
for (const path of writes) {
  const note = 'touched by ' + process.env.OMK_TASK_ID;
  appendFileSync(path, path.endsWith('.md') ? '\\n<!-- ' + note + ' -->\\n' : '\\n// ' + note + '\\n');
}
`;

async function main() {
  const options = parseOptions();
  const bin = snapshotOmk();
  log('bundling the fake GitHub server (test/fake-github) with esbuild');
  const fake = await loadFake();
  const agentDir = makeTempDir('api-agent');
  const touch = join(agentDir, 'touch.mjs');
  writeFileSync(touch, TOUCH_AGENT);
  chmodSync(touch, 0o755);

  const cases = [
    { name: 'demo goal', slices: 2, files: fake.DEMO_FILES, goal: fake.DEMO_GOAL, agent: 'demo' },
    {
      name: 'script, 2 slices',
      slices: 2,
      files: SCRIPT_FILES,
      goal: 'refactor README.md and refactor src/parser.js',
      agent: `script:${touch}`,
    },
    {
      name: 'script, 4 slices',
      slices: 4,
      files: SCRIPT_FILES,
      goal: 'refactor README.md, refactor docs/guide.md, refactor src/format.js and refactor src/parser.js',
      agent: `script:${touch}`,
    },
  ];
  const chosen = options.smoke ? cases.filter((one) => one.name === SMOKE_CASE) : cases;
  if (chosen.length === 0) throw new BenchError(`--smoke: no case is named "${SMOKE_CASE}"`);
  const results = [];
  for (const c of chosen) {
    log(`running: ${c.name}`);
    results.push(await runCase(bin, fake, c, options.smoke));
  }
  const report = {
    bench: 'api-calls',
    smoke: options.smoke,
    machine: machineInfo(),
    targets: { perSlicePr: TARGET_PER_SLICE_PR, perGoal: '8 + 3 × slices' },
    cases: results,
  };
  if (options.json) printJson(report);
  else process.stdout.write(`${options.smoke ? SMOKE_NOTE : ''}${render(report)}`);
}

function parseOptions() {
  try {
    return parseArgs({
      options: { json: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false } },
    }).values;
  } catch (error) {
    throw new BenchError(`${error.message}\nusage: node bench/api-calls.mjs [--json] [--smoke]`);
  }
}

// --- the fake GitHub -----------------------------------------------------------------------------

/** The fake GitHub and the demo fixture, bundled and imported (bundleWithFakeGitHub). */
function loadFake() {
  return bundleWithFakeGitHub('fake-github', {
    stdin: {
      contents: [
        "export { startFakeGitHub } from './test/fake-github/server.ts';",
        "export { DEMO_FILES, DEMO_GOAL } from './src/adapters/demo/fixture.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'bench-fake-entry.ts',
    },
  });
}

// --- one case ------------------------------------------------------------------------------------

function runOmk(bin, args, { cwd, env }) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function expectExit(label, run, code = 0) {
  if (run.code !== code) {
    throw new BenchError(`${label}: exit ${run.code}, expected ${code}\n${run.stderr.slice(0, 2000)}`);
  }
  return run;
}

function createRepo(files) {
  const base = makeTempDir('api-repo');
  const root = join(base, 'work');
  const origin = join(base, 'origin.git');
  mkdirSync(root);
  git(base, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  git(root, ['init', '--quiet', '--initial-branch=main']);
  for (const [key, value] of Object.entries({
    'user.name': 'omk bench',
    'user.email': 'bench@omk.invalid',
    'gc.auto': '0',
    'commit.gpgsign': 'false',
  })) {
    git(root, ['config', key, value]);
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  git(root, ['add', '--all']);
  git(root, ['commit', '--quiet', '-m', 'initial']);
  // A local push to the bare repository: no HTTP, so a synchronous child is fine here.
  git(root, ['push', '--quiet', origin, 'main']);
  return { root, origin };
}

async function runCase(bin, fake, c, smoke) {
  // No CI runs on the fake: the gated merge must not wait for one (merge.requireChecks: none).
  const repo = createRepo({ ...c.files, '.omk/config.yml': 'version: 1\nmerge:\n  requireChecks: none\n' });
  const stateDir = makeTempDir('api-state');
  const server = await fake.startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    bareRepoPath: repo.origin,
    token: TOKEN,
  });
  try {
    git(repo.root, ['remote', 'add', 'origin', server.gitUrl]);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: stateDir,
      OMK_STATE_DIR: stateDir,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: server.url,
      GITHUB_SERVER_URL: server.url,
      ...(smoke ? { OMK_GITHUB_WRITE_INTERVAL_MS: '0' } : {}),
    };
    const run = expectExit(
      `${c.name}: goal run`,
      await runOmk(
        bin,
        [
          'goal',
          'run',
          c.goal,
          '--agent',
          c.agent,
          '--until-ready',
          '--policy',
          'auto-pr',
          '--merge-policy',
          'gated',
          '--forge',
          'github',
          '--json',
        ],
        { cwd: repo.root, env },
      ),
    );
    const out = parseJsonOutput(`${c.name}: goal run --json`, run.stdout);
    const id = out?.goal?.id;
    if (out?.goal?.status !== 'merged') {
      throw new BenchError(`${c.name}: the goal is ${out?.goal?.status}, not merged\n${run.stderr}`);
    }
    const goalRequests = [...server.requests];
    const pulls = [...server.state.pulls.values()];
    if (pulls.length !== c.slices + 1) {
      throw new BenchError(`${c.name}: ${pulls.length} PRs on GitHub, expected ${c.slices + 1}`);
    }
    expectExit(
      `${c.name}: open-pr rerun`,
      await runOmk(bin, ['goal', 'open-pr', id, '--forge', 'github'], { cwd: repo.root, env }),
    );
    const rerunRequests = server.requests.slice(goalRequests.length);
    if (server.state.pulls.size !== c.slices + 1) throw new BenchError(`${c.name}: the rerun opened a PR`);
    const runs = server.state.checkRuns.map((r) => `${r.name}@${r.headSha}`);
    if (new Set(runs).size !== runs.length) throw new BenchError(`${c.name}: duplicate check runs`);
    server.assertClean();
    return summarizeCase(c, goalRequests, rerunRequests, server.state);
  } finally {
    await server.close();
  }
}

// --- attribution ---------------------------------------------------------------------------------

function opOf(request) {
  return request.operationId ?? `${request.method} ${request.path}`;
}

function countOps(requests) {
  const counts = {};
  for (const r of requests) if (r.kind === 'api') counts[opOf(r)] = (counts[opOf(r)] ?? 0) + 1;
  return counts;
}

/**
 * Splits the run's API calls into delivery of each PR (which PR: by number, head or head SHA)
 * and the merge (evaluation reads and the merge itself).
 */
function summarizeCase(c, goalRequests, rerunRequests, state) {
  const pulls = [...state.pulls.values()];
  const integrator = pulls.find((p) => p.head.endsWith('/integration'));
  const byNumber = new Map(pulls.map((p) => [p.number, p]));
  const byHead = new Map(pulls.map((p) => [p.head, p]));
  const bySha = new Map(pulls.map((p) => [p.headSha, p]));
  const runSha = new Map(state.checkRuns.map((r) => [r.id, r.headSha]));
  const pullOf = (r) => {
    const number = /\/(?:pulls|issues)\/(\d+)/.exec(r.path)?.[1];
    if (number !== undefined) return byNumber.get(Number(number));
    const body = r.body ?? {};
    if (typeof body.head === 'string') return byHead.get(body.head.replace(/^[^:]+:/, ''));
    if (typeof body.head_sha === 'string') return bySha.get(body.head_sha);
    const id = /\/check-runs\/(\d+)/.exec(r.path)?.[1];
    if (id !== undefined) return bySha.get(runSha.get(Number(id)));
    const head = r.query?.head;
    if (typeof head === 'string') return byHead.get(head.replace(/^[^:]+:/, ''));
    return undefined;
  };
  const api = goalRequests.filter((r) => r.kind === 'api');
  const firstMergeRead = api.findIndex((r) => r.operationId === 'pulls/get');
  const delivery = firstMergeRead < 0 ? api : api.slice(0, firstMergeRead);
  const merging = firstMergeRead < 0 ? [] : api.slice(firstMergeRead);
  const perPull = new Map(pulls.map((p) => [p.number, []]));
  const unattributed = [];
  for (const r of delivery) {
    const pull = DELIVERY_OPS.has(opOf(r)) ? pullOf(r) : undefined;
    if (pull) perPull.get(pull.number).push(r);
    else unattributed.push(r);
  }
  const slicePulls = pulls.filter((p) => p !== integrator);
  const sliceCalls = slicePulls.map((p) => perPull.get(p.number).length);
  const integratorCalls = integrator ? perPull.get(integrator.number).length : 0;
  const mergeEval = merging.filter((r) => MERGE_EVAL_OPS.has(opOf(r))).length;
  const mergeCalls = merging.filter((r) => opOf(r) === 'pulls/merge').length;
  const otherMerge = merging.length - mergeEval - mergeCalls;
  const total = api.length;
  const git = goalRequests.filter((r) => r.kind === 'git');
  const rerunApi = rerunRequests.filter((r) => r.kind === 'api');
  return {
    name: c.name,
    slices: c.slices,
    apiCalls: total,
    perSlicePr: {
      max: Math.max(...sliceCalls),
      each: sliceCalls,
      operations: countOps(slicePulls.flatMap((p) => perPull.get(p.number))),
      target: TARGET_PER_SLICE_PR,
      met: Math.max(...sliceCalls) <= TARGET_PER_SLICE_PR,
    },
    integratorPr: {
      calls: integratorCalls,
      operations: countOps(integrator ? perPull.get(integrator.number) : []),
    },
    unattributedDelivery: countOps(unattributed),
    merge: { evaluation: mergeEval, merge: mergeCalls, other: otherMerge, operations: countOps(merging) },
    // State lives in OMK_STATE_DIR; the state branch (git, not the REST API) is not used by the CLI.
    stateWrites: 0,
    goal: { total, target: targetPerGoal(c.slices), met: total <= targetPerGoal(c.slices) },
    operations: countOps(api),
    git: {
      requests: git.length,
      pushes: git.filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack')).length,
    },
    rerun: {
      apiCalls: rerunApi.length,
      perPr: round2(rerunApi.length / (c.slices + 1)),
      operations: countOps(rerunApi),
    },
  };
}

function round2(n) {
  return Math.round(n * 100) / 100;
}

// --- output --------------------------------------------------------------------------------------

function render(report) {
  const yes = (met) => (met ? 'yes' : 'NO');
  const rows = report.cases.map((c) => [
    c.name,
    c.slices,
    `${c.perSlicePr.max} (≤ ${c.perSlicePr.target}: ${yes(c.perSlicePr.met)})`,
    c.integratorPr.calls,
    c.merge.evaluation,
    c.merge.merge,
    c.stateWrites,
    `${c.goal.total} (≤ ${c.goal.target}: ${yes(c.goal.met)})`,
    c.rerun.apiCalls,
  ]);
  let out = formatTable(
    [
      'case',
      'slices',
      'per slice PR',
      'integrator PR',
      'merge reads',
      'merge',
      'state',
      'goal total',
      'rerun open-pr',
    ],
    rows,
  );
  out += '\nAPI calls by operation (the goal run, then the open-pr rerun):\n';
  const ops = [
    ...new Set(
      report.cases.flatMap((c) => [...Object.keys(c.operations), ...Object.keys(c.rerun.operations)]),
    ),
  ].sort();
  out += formatTable(
    ['operation', ...report.cases.flatMap((c) => [`${c.name}`, 'rerun'])],
    ops.map((op) => [
      op,
      ...report.cases.flatMap((c) => [c.operations[op] ?? 0, c.rerun.operations[op] ?? 0]),
    ]),
  );
  out += '\ngit smart-HTTP requests in the run (not API calls): ';
  out += report.cases.map((c) => `${c.name}: ${c.git.requests} (${c.git.pushes} pushes)`).join('; ');
  out += '\n';
  return out;
}

await runBench(main);
