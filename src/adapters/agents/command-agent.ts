import { appendFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { agentEnvironment } from '../../runtime/agents/env.js';
import { environmentFailure } from '../../runtime/agents/environment.js';
import { type FollowUpsRead, readFollowUps } from '../../runtime/agents/follow-ups.js';
import { createNetworkWatch } from '../../runtime/agents/network-stall.js';
import type { Agent, AgentCommand, AgentRunInput, AgentRunResult } from '../../runtime/agents/port.js';
import { agentRunFiles } from '../../runtime/agents/run-files.js';
import { parseUsage } from '../../runtime/agents/usage.js';
import type { ProcessResult, ProcessRunner } from '../../runtime/ports.js';
import { runProcess } from '../process/run-process.js';
import { writeJsonAtomic } from '../state/atomic.js';
import { type AgentHome, makeAgentHome } from './agent-home.js';

export interface CommandAgentOptions extends AgentCommand {
  /** The host environment the allowlist picks from (injected, never read from globals). */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Runs the agent's process (default: runProcess): the host's bounded logs and sandbox. */
  run?: ProcessRunner;
}

// Linux refuses a single argument longer than 128 KiB (MAX_ARG_STRLEN) with E2BIG; saying so is
// clearer than the spawn error.
const MAX_ARG_BYTES = 128 * 1024 - 1;
const PLACEHOLDER = /\{(prompt|promptFile|cwd)\}/g;

/**
 * One template pass: the replacement text is never rescanned, so a prompt that itself contains
 * "{cwd}" arrives verbatim.
 */
export function expandArgv(
  template: readonly string[],
  values: Record<'prompt' | 'promptFile' | 'cwd', string>,
) {
  return template.map((arg) => arg.replace(PLACEHOLDER, (_, key: keyof typeof values) => values[key]));
}

/**
 * An agent that is a command: a preset CLI, a user's custom command or a script. The environment
 * is computed here, at construction, so a config asking for a GitHub token fails before any run.
 */
export function createCommandAgent(options: CommandAgentOptions): Agent {
  const env = agentEnvironment(options.baseEnv, options.envNames);
  return {
    name: options.name,
    label: options.label,
    run: (input) => runCommand(options, env, input),
  };
}

async function runCommand(
  options: CommandAgentOptions,
  allowed: Record<string, string>,
  input: AgentRunInput,
): Promise<AgentRunResult> {
  const dir = resolve(input.artifactsDir);
  await mkdir(dir, { recursive: true });
  const files = agentRunFiles(dir, input.attempt);
  const transcript = files.transcript;
  const promptFile = files.prompt;
  await writeFresh(promptFile, input.prompt);
  await writeFresh(
    transcript,
    `# omk: agent ${options.name}, task ${input.taskId}, attempt ${input.attempt}\n\n`,
  );
  const early = (outcome: AgentRunResult['outcome'], summary: string): AgentRunResult => ({
    outcome,
    exitCode: null,
    durationMs: 0,
    usage: { tokens: null, usd: null },
    transcript,
    followUps: [],
    summary,
  });

  if (input.signal?.aborted) return early('cancelled', 'agent run was cancelled before it started');
  if (!(await isDirectory(input.cwd))) {
    return early('crashed', `the slice workspace ${input.cwd} does not exist; the agent was not started`);
  }
  const argv = buildArgv(options, input, promptFile);
  if (argv.some((arg) => Buffer.byteLength(arg) > MAX_ARG_BYTES)) {
    return early(
      'crashed',
      `the prompt is too long to pass as one argument to ${options.name}; use prompt: file`,
    );
  }
  let home: AgentHome;
  try {
    home = await makeAgentHome(options.baseEnv, options.home);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return early('crashed', `the agent's own HOME could not be made (${why}); the agent was not started`);
  }
  const run = options.run ?? runProcess;
  const result = await run({
    argv,
    cwd: input.cwd,
    env: {
      ...allowed,
      // Its own HOME and XDG directories: the user's HOME is never the agent's.
      ...home.env,
      OMK_TASK_ID: input.taskId,
      OMK_ATTEMPT: String(input.attempt),
      OMK_WRITES: JSON.stringify(input.task.writes),
      OMK_PROMPT_FILE: promptFile,
    },
    timeoutMs: input.timeoutMs,
    input: options.prompt === 'stdin' ? input.prompt : '',
    logPath: transcript,
    ...(input.logMaxBytes === undefined ? {} : { logMaxBytes: input.logMaxBytes }),
    ...(input.confine === undefined
      ? {}
      : { confine: { ...input.confine, writable: [...input.confine.writable, home.path] } }),
    onSpawn: input.onProcess,
    ...(options.startupSilenceMs === null ? {} : { silenceMs: options.startupSilenceMs }),
    ...(options.networkStallMs === null
      ? {}
      : { watch: createNetworkWatch(options.networkStallMs, () => performance.now()) }),
    ...(input.signal ? { signal: input.signal } : {}),
  }).finally(() => home.remove());

  const usage = parseUsage(options.usage, result.stdout);
  const [, proposals] = await Promise.all([
    // Its rename replaces a file or a link, not a directory planted under the name.
    rm(files.usage, { recursive: true, force: true }).then(() =>
      writeJsonAtomic(files.usage, { version: 1, parser: options.usage, ...usage }),
    ),
    collectFollowUps(input),
  ]);
  if (proposals.problems.length > 0) {
    await appendFile(transcript, `\n# omk: follow-up proposals dropped\n${proposals.problems.join('\n')}\n`);
  }
  const executable = argv[0] ?? options.name;
  const environment = environmentFailure(result, {
    executable,
    envNames: options.envNames,
    silenceMs: options.startupSilenceMs,
    networkStallMs: options.networkStallMs,
    ...(options.missingLogin === undefined ? {} : { missingLogin: options.missingLogin }),
  });
  const described = describe(result, executable, input.timeoutMs);
  if (environment !== null) {
    await appendFile(
      transcript,
      `\n# omk: ${executable} cannot run here (${environment.cause}): ${environment.words}\n`,
    );
    return {
      outcome: described.outcome,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      usage,
      transcript,
      followUps: [],
      summary:
        environment.cause === 'missing'
          ? described.summary
          : `${executable} cannot run here: ${environment.words}`,
      environment,
    };
  }
  const { outcome, summary } = described;
  const dropped = proposals.problems.length;
  return {
    outcome,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    usage,
    transcript,
    followUps: proposals.followUps,
    summary: dropped > 0 ? `${summary} (${dropped} follow-up problem(s); see transcript)` : summary,
  };
}

/**
 * Writes a new file at `path`, replacing whatever is there: an unsandboxed agent of an earlier
 * attempt could have left a link (omk's write would follow it out of the state root), a pipe (it
 * would block) or a directory under this attempt's name.
 */
async function writeFresh(path: string, text: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await writeFile(path, text, { flag: 'wx' });
}

/** The prompt goes where the template says; a template without its placeholder gets it last. */
function buildArgv(options: CommandAgentOptions, input: AgentRunInput, promptFile: string): string[] {
  const template = [...options.argv];
  const has = (placeholder: string) => template.some((arg) => arg.includes(placeholder));
  if (options.prompt === 'arg' && !has('{prompt}')) template.push('{prompt}');
  if (options.prompt === 'file' && !has('{promptFile}')) template.push('{promptFile}');
  return expandArgv(template, { prompt: input.prompt, promptFile, cwd: input.cwd });
}

async function collectFollowUps(input: AgentRunInput): Promise<FollowUpsRead> {
  try {
    return await readFollowUps(input.cwd, {
      parentTaskId: input.taskId,
      ownerRole: input.task.ownerRole,
      // A placeholder the graph stage replaces with the goal's budget policy.
      budget: { timeMs: input.timeoutMs, tokens: null, usd: null },
      maxRetries: 1,
    });
  } catch (error) {
    return { followUps: [], problems: [`could not read follow-up proposals: ${String(error)}`] };
  }
}

function describe(
  result: ProcessResult,
  executable: string,
  timeoutMs: number,
): Pick<AgentRunResult, 'outcome' | 'summary'> {
  if (result.cancelled)
    return { outcome: 'cancelled', summary: 'agent run was cancelled; its processes were stopped' };
  if (result.timedOut) {
    return {
      outcome: 'timeout',
      summary: `agent did not finish within ${formatMs(timeoutMs)}; its whole process tree was killed`,
    };
  }
  if (result.spawnError !== null) {
    if (/\bENOENT\b/.test(result.spawnError)) {
      return {
        outcome: 'crashed',
        summary: `agent executable '${executable}' was not found; install it or pick another with --agent`,
      };
    }
    return {
      outcome: 'crashed',
      summary: `agent executable '${executable}' could not be started (${result.spawnError}); check that it is executable`,
    };
  }
  if (result.exitCode === null) {
    return { outcome: 'crashed', summary: `agent was killed by signal ${result.signal ?? 'unknown'}` };
  }
  if (result.exitCode === 0)
    return { outcome: 'succeeded', summary: `agent finished in ${formatMs(result.durationMs)}` };
  const last = lastLine(result.tail);
  return {
    outcome: 'failed',
    summary: `agent exited with code ${result.exitCode}${last === '' ? '' : `: ${last}`}`,
  };
}

// Colour codes and other controls would garble a one-line summary in a PR body or terminal
// (the escape is the only Cc character that starts a CSI sequence, so \p{Cc} stands for it).
const ANSI_SEQUENCE = /\p{Cc}\[[0-9;?]*[A-Za-z]/gu;
const CONTROL = /\p{Cc}/gu;

function lastLine(tail: string): string {
  const line =
    tail
      .replace(ANSI_SEQUENCE, '')
      .split(/\r?\n|\r/)
      .map((l) => l.replace(CONTROL, ' ').trim())
      .filter((l) => l !== '')
      .at(-1) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
