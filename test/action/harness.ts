import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/server.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ACTION_ENTRY = join(ROOT, 'dist', 'index.cjs');
export const POST_ENTRY = join(ROOT, 'dist', 'post.js');
export const OWNER = 'acme';
export const REPO = 'widgets';
/** A canary: it must appear nowhere but in the runner's ::add-mask:: commands. */
export const TOKEN = 'ghs_actionCanary0123456789abcdefXYZ';
/** The workflow run every step of a test belongs to, unless it sets GITHUB_RUN_ID itself. */
export const RUN_ID = '9001';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed from the GITHUB_OUTPUT file, as the runner reads it. */
  outputs: Record<string, string>;
  outputFile: string;
  summary: string;
  /** What the step saved for its post step (the GITHUB_STATE file), by name. */
  state: Record<string, string>;
}

export interface ActionEnv {
  repo: TempRepo;
  server: FakeGitHub;
  runnerTemp: string;
  runs: ActionRun[];
  /** The step's node process while one runs (a fault test kills it), else null. */
  running: ChildProcess | null;
  /**
   * Runs dist/index.cjs with action.yml's defaults, then `inputs`, as INPUT_* (and `env`);
   * `launch` runs another node command line instead (e.g. @github/local-action) from its cwd.
   */
  run(inputs: Record<string, string>, env?: Record<string, string>, launch?: Launch): Promise<ActionRun>;
  /** Runs dist/post.js as the runner does at the end of the job: the main run's state as STATE_*. */
  post(main: ActionRun): Promise<ActionRun>;
  cleanup(): Promise<void>;
}

/** The INPUT_* variable a runner sets: upper case, spaces to underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function actionMetadata(): Promise<unknown> {
  return parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as unknown;
}

/** The defaults a runner fills in from action.yml (expressions such as ${{ github.token }} skipped). */
export async function actionDefaults(): Promise<Record<string, string>> {
  const meta = (await actionMetadata()) as { inputs: Record<string, { default?: string }> };
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(meta.inputs)) {
    if (input.default !== undefined && !input.default.includes('${{')) out[name] = input.default;
  }
  return out;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` entries, as @actions/core writes GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== match[2]; i += 1) value.push(lines[i] ?? '');
    out[match[1]] = value.join('\n');
  }
  return out;
}

/** A node command line that runs the Action in place of `node dist/index.cjs`. */
export interface Launch {
  args: string[];
  cwd: string;
  /** When the step is killed (default 120 s); a launch that compiles the Action first needs more. */
  timeoutMs?: number;
}

export interface ActionEnvOptions {
  event?: { name: string; payload: unknown };
  /** Executable files added to the fixture (committed and pushed before the first run). */
  executables?: Record<string, string>;
  /** More files of the fixture, e.g. `.omk/config.yml` (committed and pushed before the first run). */
  files?: Record<string, string>;
  /** More identities on the fake GitHub: token → login (e.g. a ci-token's). */
  users?: Record<string, string>;
}

/** No CI runs on the fake GitHub: a gated merge in a test's run must not wait for one. */
export const NO_CI_CONFIG = { '.omk/config.yml': 'version: 1\nmerge:\n  requireChecks: none\n' };

/**
 * A workspace checkout of the demo fixture whose origin is a fake GitHub (backed by its bare
 * repository), a RUNNER_TEMP, and an event payload: everything a runner gives a node24 Action.
 */
export async function createActionEnv(options: ActionEnvOptions = {}): Promise<ActionEnv> {
  const repo = await createTempRepo({ ...DEMO_FILES, ...options.files });
  if (options.executables !== undefined) {
    await repo.commit(options.executables, 'executables');
    for (const path of Object.keys(options.executables)) await chmod(join(repo.root, path), 0o755);
    await repo.commit({}, 'make executable');
    git(repo.root, 'push', '--quiet', 'origin', 'main');
  }
  const server = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    bareRepoPath: repo.origin,
    token: TOKEN,
    ...(options.users ? { users: options.users } : {}),
  });
  // Local config only: no network, so a sync child is fine here.
  git(repo.root, 'remote', 'set-url', 'origin', server.gitUrl);
  const runnerTemp = await mkdtemp(join(tmpdir(), 'omk-runner-'));
  const event = options.event ?? {
    name: 'workflow_dispatch',
    payload: await webhookExample('workflow_dispatch'),
  };
  const eventPath = join(runnerTemp, 'event.json');
  await writeFile(eventPath, JSON.stringify(event.payload));
  const defaults = await actionDefaults();
  const runs: ActionRun[] = [];
  let step = 0;
  const handle: ActionEnv = {
    repo,
    server,
    runnerTemp,
    runs,
    running: null,
    run(inputs, extra = {}, launch = { args: [ACTION_ENTRY], cwd: repo.root }) {
      return runStep(inputs, extra, launch);
    },
    post(main) {
      const state = Object.fromEntries(
        Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]),
      );
      return runStep({}, state, { args: [POST_ENTRY], cwd: repo.root });
    },
    async cleanup() {
      await server.close();
      await repo.cleanup();
      await rm(runnerTemp, { recursive: true, force: true });
    },
  };
  return handle;

  async function runStep(
    inputs: Record<string, string>,
    extra: Record<string, string>,
    launch: Launch,
  ): Promise<ActionRun> {
    step += 1;
    const outputFile = join(runnerTemp, `output-${step}`);
    const summaryFile = join(runnerTemp, `summary-${step}`);
    const stateFile = join(runnerTemp, `state-${step}`);
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    await writeFile(stateFile, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: runnerTemp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_API_URL: server.url,
      GITHUB_SERVER_URL: server.url,
      GITHUB_WORKSPACE: repo.root,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_STATE: stateFile,
      RUNNER_TEMP: runnerTemp,
      // A real runner always sets these; a rerun of the run keeps GITHUB_RUN_ID, with a higher attempt.
      GITHUB_RUN_ID: RUN_ID,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'omk',
      RUNNER_NAME: 'GitHub Actions 1',
      // Unconfined unless a test asks (the sandbox input): the kit's agents log outside their worktree.
      OMK_SANDBOX: 'off',
      // The fake GitHub has no secondary rate limit: no second between writes.
      OMK_GITHUB_WRITE_INTERVAL_MS: '0',
      ...extra,
    };
    for (const [name, value] of Object.entries({ ...defaults, 'github-token': TOKEN, ...inputs })) {
      env[inputVariable(name)] = value;
    }
    const result = await runNode(launch.args, launch.cwd, env, launch.timeoutMs, (child) => {
      handle.running = child;
    });
    handle.running = null;
    const run: ActionRun = {
      ...result,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      outputFile: await readFile(outputFile, 'utf8'),
      summary: await readFile(summaryFile, 'utf8'),
      state: parseOutputFile(await readFile(stateFile, 'utf8')),
    };
    runs.push(run);
    return run;
  }
}

/** Async, never sync: the fake GitHub serves git from this process's event loop. */
function runNode(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeout = 120_000,
  started: (child: ChildProcess) => void = () => {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    started(child);
  });
}

interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}

/** How many separate jobs the tests of this file ran: each gets a runner name of its own. */
let separateJobs = 0;

/**
 * A separate job of one workflow: its own checkout of the repository (a local clone of the bare
 * repository, no network, then origin pointed at the fake GitHub), its own RUNNER_TEMP and runner.
 */
export async function separateJob(
  env: ActionEnv,
  inputs: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(env.runnerTemp, 'job-'));
  const workspace = join(dir, 'workspace');
  execFileSync('git', ['clone', '--quiet', env.repo.origin, workspace]);
  execFileSync('git', ['remote', 'set-url', 'origin', env.server.gitUrl], { cwd: workspace });
  separateJobs += 1;
  // Each job of a workflow run runs on a runner of its own.
  const runner = { RUNNER_NAME: `GitHub Actions ${separateJobs + 1}` };
  return env.run(inputs, {
    ...runner,
    ...extra,
    RUNNER_TEMP: join(dir, 'temp'),
    GITHUB_WORKSPACE: workspace,
  });
}

/** A real payload from @octokit/webhooks-examples (the first example, or the first with `action`). */
export async function webhookExample(name: string, action?: string): Promise<Record<string, unknown>> {
  const path = join(ROOT, 'node_modules', '@octokit', 'webhooks-examples', 'api.github.com', 'index.json');
  const definitions = JSON.parse(await readFile(path, 'utf8')) as WebhookDefinition[];
  const examples = definitions.find((definition) => definition.name === name)?.examples ?? [];
  const example = examples.find((candidate) => action === undefined || candidate.action === action);
  if (example === undefined) throw new Error(`no ${name}${action ? `.${action}` : ''} example payload`);
  return structuredClone(example);
}

/** ::error:: lines of a run, decoded (%0A is a newline in workflow commands). */
export function errorLines(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => line.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}
