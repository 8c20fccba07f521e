#!/usr/bin/env node
// Bot webhook load: signed issue_comment deliveries at a fixed rate through Probot's real webhook
// middleware on loopback, with a share of them redelivered (same X-GitHub-Delivery, same body).
// Measures the time to the 2xx as GitHub would see it, and checks that every distinct comment
// became exactly one job: none lost, none run twice.
//
//   node bench/bot-load.mjs [--rate 200] [--seconds 10] [--redeliver 0.1] [--json] [--smoke]
//
// --smoke: --rate 20 --seconds 1 (20 deliveries, 2 of them redelivered; a few seconds with the
// bundling; every check still runs; a size given beside it wins). `npm test` runs it
// (test/bench/smoke.test.ts) so the script cannot rot; its figures mean nothing.
//
// The app runs in a child process (this script with --serve), bundled from src/bot with esbuild at
// start; its job executor is a counter, so only the request path is measured: signature check,
// parse, dedupe, the 👀 reaction being sent, enqueue. A stub GitHub API here answers the reactions.
// The load generator uses Node built-ins only. Exits non-zero only when a correctness check fails.

import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BenchError,
  formatTable,
  loadAverages,
  log,
  machineInfo,
  makeTempDir,
  printJson,
  ROOT,
  round1,
  runBench,
  SMOKE_NOTE,
  withSizes,
} from './lib.mjs';

const SECRET = 'bench-webhook-secret';
const OWNER = 'acme';
const REPO = 'widgets';

// --- the app side (child process) ---------------------------------------------------------------

async function serve(bundlePath, apiUrl) {
  const { createOmkApp, readBotConfig, processHost, systemClock } = await import(
    pathToFileURL(bundlePath).href
  );
  const { Probot, ProbotOctokit, createNodeMiddleware } = await import('probot');
  const counts = new Map();
  const suffixes = new Map();
  let bot = null;
  const probot = new Probot({
    githubToken: 'ghs_bench',
    baseUrl: apiUrl,
    secret: SECRET,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults((options) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const env = { OMK_BOT_MODE: 'actions', OMK_BOT_QUEUE_LIMIT: '100000' };
  const appFn = createOmkApp(
    () => ({
      config: readBotConfig(env),
      env,
      clock: systemClock,
      host: processHost(),
      reporter: { info: () => {}, warn: (m) => process.stderr.write(`bot: ${m}\n`) },
      githubFor: async () => {
        throw new Error('the bench executor makes no GitHub calls');
      },
      // The work itself is stubbed: count each job, and each goal a run command would create.
      executeJob: async (job) => {
        counts.set(job.key, (counts.get(job.key) ?? 0) + 1);
        const command = job.kind === 'command' && job.parsed.ok ? job.parsed.command : null;
        if (command?.kind === 'run') {
          const suffix = command.request.idSuffix;
          suffixes.set(suffix, (suffixes.get(suffix) ?? 0) + 1);
        }
      },
    }),
    (created) => {
      bot = created;
    },
  );
  const middleware = await createNodeMiddleware(appFn, { probot });
  const server = createServer((req, res) => middleware(req, res, () => res.writeHead(404).end()));
  // Longer than the generator's agent keeps idle sockets: a reused socket is never one the server
  // is closing at that moment (that race is a client artefact, not a lost delivery).
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send({ type: 'ready', url: `http://127.0.0.1:${server.address().port}/api/github/webhooks` });
  let cpuAtStart = null;
  process.on('message', async (message) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      return;
    }
    if (message.type !== 'drain') return;
    await bot.idle();
    const cpu = process.cpuUsage(cpuAtStart ?? undefined);
    process.send({
      type: 'counts',
      jobs: [...counts],
      goals: [...suffixes],
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

// --- the GitHub side (this process) -------------------------------------------------------------

function startStubApi() {
  let reactions = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url.endsWith('/reactions')) reactions += 1;
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1,"content":"eyes"}');
    });
  });
  server.listen(0, '127.0.0.1');
  return {
    ready: once(server, 'listening'),
    url: () => `http://127.0.0.1:${server.address().port}`,
    reactions: () => reactions,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

function examplePayload() {
  const path = join(ROOT, 'node_modules', '@octokit', 'webhooks-examples', 'api.github.com', 'index.json');
  const definitions = JSON.parse(readFileSync(path, 'utf8'));
  const example = definitions
    .find((d) => d.name === 'issue_comment')
    .examples.find((e) => e.action === 'created');
  return example;
}

/** Every delivery prepared before the clock starts; every tenth-ish one repeats an earlier one. */
function prepareDeliveries(total, redeliverShare, apiUrl, firstComment = 10_000_000) {
  const template = examplePayload();
  const deliveries = [];
  const every = redeliverShare > 0 ? Math.round(1 / redeliverShare) : Number.POSITIVE_INFINITY;
  let unique = 0;
  for (let i = 0; i < total; i += 1) {
    if ((i + 1) % every === 0 && deliveries.length > 0) {
      deliveries.push({ ...deliveries[Math.max(0, i - 1 - (i % 7))], redelivery: true });
      continue;
    }
    unique += 1;
    const payload = structuredClone(template);
    Object.assign(payload.repository, {
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      url: `${apiUrl}/repos/${OWNER}/${REPO}`,
      html_url: `${apiUrl}/${OWNER}/${REPO}`,
      default_branch: 'main',
    });
    payload.repository.owner.login = OWNER;
    payload.installation = { id: 1, node_id: 'bench' };
    payload.issue.number = 1 + (i % 50);
    payload.comment.id = firstComment + i;
    payload.sender.login = `user-${payload.comment.id}`;
    const kind = i % 10;
    payload.comment.body =
      kind < 7
        ? `Please:\n/omk goal run "fix the failing test number ${payload.comment.id}" --merge-policy gated --max-agents 2`
        : kind < 9
          ? `/omk goal status goal-${payload.comment.id}-abcdef`
          : '/omk help';
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    deliveries.push({
      id: `bench-${i}`,
      body,
      signature,
      key: `${OWNER}/${REPO}#${payload.comment.id}`,
      redelivery: false,
    });
  }
  return { deliveries, unique };
}

function send(url, agent, delivery) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(delivery.body),
          'x-github-event': 'issue_comment',
          'x-github-delivery': delivery.id,
          'x-hub-signature-256': delivery.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, ms: performance.now() - started, error: error.message }));
    req.end(delivery.body);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * Starts the app process, sends the deliveries at the rate asked and drains the app's queue. The
 * app process is stopped whatever happens: a crash at its start-up or mid-run fails the bench
 * with its exit code instead of leaving it waiting for a message that never comes.
 */
async function runLoad(bundlePath, api, { rate, seconds, redeliver }) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', bundlePath, api.url()], {
    stdio: 'inherit',
    // BOT_LOAD_PROFILE=<dir>: a CPU profile of the app process, for finding where a request's time goes.
    execArgv: process.env.BOT_LOAD_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BOT_LOAD_PROFILE}`]
      : [],
  });
  const exited = once(child, 'exit');
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
  try {
    const ready = await nextMessage(child, 'it was ready');
    const total = Math.round(rate * seconds);
    const { deliveries, unique } = prepareDeliveries(total, redeliver, api.url());

    // One warm-up delivery (not counted in the figures, counted as a job).
    const warm = prepareDeliveries(1, 0, api.url(), 9_000_000).deliveries[0];
    await send(ready.url, agent, { ...warm, id: 'bench-warmup' });

    child.send({ type: 'start' });
    const loadBefore = loadAverages();
    log(`sending ${total} deliveries at ${rate}/s for ${seconds}s (${total - unique} redelivered)`);
    const interval = 1000 / rate;
    const started = performance.now();
    const pending = [];
    for (let i = 0; i < deliveries.length; i += 1) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send(ready.url, agent, deliveries[i]));
    }
    const results = await Promise.all(pending);
    const elapsed = (performance.now() - started) / 1000;
    const loadAfter = loadAverages();
    child.send({ type: 'drain' });
    const counted = await nextMessage(child, 'it reported its counts');
    await exited;
    return { deliveries, unique, warm, results, elapsed, loadBefore, loadAfter, counted };
  } finally {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** The app process's next message, or a BenchError if it exits first. */
function nextMessage(child, what) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code, signal) => {
      child.off('message', onMessage);
      reject(new BenchError(`the app process exited (${signal ?? `code ${code}`}) before ${what}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

async function main() {
  const parsed = parseArgs({
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      redeliver: { type: 'string', default: '0.1' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  }).values;
  const values = withSizes(parsed, { rate: '200', seconds: '10' }, { rate: '20', seconds: '1' });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const redeliver = Number(values.redeliver);
  if (!(rate > 0 && seconds > 0 && redeliver >= 0 && redeliver < 1))
    throw new BenchError('bad --rate/--seconds/--redeliver');

  log('bundling src/bot with esbuild');
  const { build } = await import('esbuild');
  const bundlePath = join(makeTempDir('bot-load'), 'bot-bench.mjs');
  await build({
    stdin: {
      contents: [
        "export { createOmkApp } from './src/bot/app.ts';",
        "export { readBotConfig } from './src/adapters/bot/config.ts';",
        "export { processHost } from './src/adapters/process/host.ts';",
        "export { systemClock } from './src/runtime/ports.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundlePath,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });

  const api = startStubApi();
  await api.ready;
  const { deliveries, unique, warm, results, elapsed, loadBefore, loadAfter, counted } = await runLoad(
    bundlePath,
    api,
    { rate, seconds, redeliver },
  ).finally(() => api.close());

  const jobs = new Map(counted.jobs);
  jobs.delete(warm.key);
  const ok = results.filter((r) => r.status >= 200 && r.status < 300);
  const latencies = ok.map((r) => r.ms).sort((a, b) => a - b);
  const expectedKeys = new Set(deliveries.filter((d) => !d.redelivery).map((d) => d.key));
  const lostKeys = [...expectedKeys].filter((key) => !jobs.has(key));
  if (lostKeys.length > 0) log(`lost: ${lostKeys.slice(0, 10).join(', ')}`);
  const lost = lostKeys.length;
  const duplicates = [...jobs.values()].filter((n) => n > 1).length;
  const duplicateGoals = counted.goals.filter(([, n]) => n > 1).length;
  const goals = counted.goals.length - 1; // the warm-up is a run command too
  const figures = {
    rate,
    seconds,
    smoke: values.smoke,
    sent: results.length,
    unique: expectedKeys.size,
    redelivered: results.length - unique,
    achievedRate: round1(results.length / elapsed),
    responses2xx: ok.length,
    non2xx: results.length - ok.length,
    latencyMs: {
      p50: round1(percentile(latencies, 0.5)),
      p90: round1(percentile(latencies, 0.9)),
      p99: round1(percentile(latencies, 0.99)),
      max: round1(latencies.at(-1) ?? 0),
    },
    jobs: jobs.size,
    goals,
    lost,
    duplicateJobs: duplicates,
    duplicateGoals,
    reactions: api.reactions(),
    appCpuMs: round1(counted.cpuMs),
    appCpuMsPerDelivery: Math.round((counted.cpuMs / results.length) * 1000) / 1000,
    load: { before: loadBefore, after: loadAfter },
    machine: machineInfo(),
  };
  if (values.json) printJson(figures);
  else {
    if (values.smoke) process.stdout.write(SMOKE_NOTE);
    process.stdout.write(
      formatTable(
        ['deliveries', 'sent', 'unique', 'redelivered', '2xx', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [
          [
            `${rate}/s × ${seconds}s`,
            figures.sent,
            figures.unique,
            figures.redelivered,
            figures.responses2xx,
            figures.latencyMs.p50,
            figures.latencyMs.p90,
            figures.latencyMs.p99,
            figures.latencyMs.max,
          ],
        ],
      ),
    );
    process.stdout.write(
      `\njobs ${figures.jobs} (lost ${lost}, run twice ${duplicates}); goals ${figures.goals} (duplicates ${duplicateGoals}); ` +
        `reactions sent ${figures.reactions}; app CPU ${figures.appCpuMs} ms (${figures.appCpuMsPerDelivery} ms per delivery); achieved ${figures.achievedRate}/s; load ${loadBefore.join(' ')} → ${loadAfter.join(' ')}\n`,
    );
  }
  if (figures.non2xx > 0) {
    const failed = results.filter((r) => !(r.status >= 200 && r.status < 300)).slice(0, 5);
    throw new BenchError(
      `${figures.non2xx} deliveries were not answered 2xx: ${failed.map((r) => r.error ?? r.status).join(', ')}`,
    );
  }
  if (lost > 0 || duplicates > 0 || duplicateGoals > 0) {
    throw new BenchError(`lost ${lost}, duplicate jobs ${duplicates}, duplicate goals ${duplicateGoals}`);
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4]);
else await runBench(main);
