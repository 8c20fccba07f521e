import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A shell agent's first line after `set -e`: its `git` retries a command that died (exit 128)
 * reading a worktree's half-written admin files. omk makes the integration worktree while agents
 * run, and `git worktree add` writes `.git/worktrees/<name>/commondir` unatomically: a
 * `git config --worktree` or `git branch` that lists the worktrees in that instant fails. A real
 * agent retries such a command; a script agent does too, so a case shows what the agent does.
 */
export const SHELL_GIT_RETRY =
  'git() { n=0; until command git "$@"; do s=$?; n=$((n+1)); [ $s -eq 128 ] && [ $n -lt 5 ] || return $s; sleep 0.2; done; }';

/** Writes `text` as an executable agent script `name` in `dir`; its `--agent` spec. */
export async function scriptFile(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  await chmod(path, 0o755);
  return `script:${path}`;
}

/** The first line starting with `prefix` in a goal's first-attempt agent transcripts. */
export async function transcriptLine(goalDir: string, prefix: string): Promise<string | null> {
  const root = join(goalDir, 'artifacts', 'agent-runs');
  for (const task of await readdir(root)) {
    const text = await readFile(join(root, task, 'transcript-1.log'), 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    if (line !== undefined) return line;
  }
  return null;
}

/** One line of the calls log: what a script agent did, when, as which process. */
export interface AgentCall {
  event: string;
  task: string;
  attempt: number;
  pid: number;
  ts: number;
  [key: string]: unknown;
}

/** A start and its end (null when the agent was killed or exited early) for one agent process. */
export interface AgentRun {
  task: string;
  attempt: number;
  pid: number;
  start: number;
  end: number | null;
}

export interface AgentKit {
  /** A temp directory outside every repository: scripts, the calls log, counters. */
  dir: string;
  callsLog: string;
  /**
   * Writes an executable Node script agent and returns its `--agent` spec. `body` is module code
   * run after a preamble that provides `task`, `attempt`, `writes`, `log(event, extra)`,
   * `write(path, text)`, `append(path, text)`, `read(path)`, `exists(path)`, `sleep(ms)`,
   * `runsSoFar(task?)` (starts in the calls log, this one included) and `spawnSleeper(ms)`.
   */
  script(name: string, body: string): Promise<string>;
  calls(): Promise<AgentCall[]>;
  runs(): Promise<AgentRun[]>;
  /** Ends every process the agents logged (their process groups), then removes the directory. */
  cleanup(): Promise<void>;
}

function preamble(callsLog: string): string {
  return `#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
const CALLS = ${JSON.stringify(callsLog)};
// These agents work on slices: a planning prompt (task "plan") gets no plan, so the heuristic plans.
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
const task = process.env.OMK_TASK_ID ?? '';
const attempt = Number(process.env.OMK_ATTEMPT ?? '0');
const writes = JSON.parse(process.env.OMK_WRITES ?? '[]');
const log = (event, extra = {}) =>
  appendFileSync(CALLS, JSON.stringify({ event, task, attempt, pid: process.pid, ts: Date.now(), ...extra }) + '\\n');
const write = (path, text) => { mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, text); };
const append = (path, text) => { mkdirSync(dirname(path), { recursive: true }); appendFileSync(path, text); };
const read = (path) => readFileSync(path, 'utf8');
const exists = (path) => existsSync(path);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const runsSoFar = (id) =>
  (existsSync(CALLS) ? readFileSync(CALLS, 'utf8') : '').split('\\n').filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((call) => call.event === 'start' && (id === undefined || call.task === id)).length;
const spawnSleeper = (ms) => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, ' + ms + ')'], { stdio: 'ignore' });
  log('spawned', { child: child.pid });
  return child;
};
log('start', { cwd: process.cwd() });
`;
}

export async function createAgentKit(): Promise<AgentKit> {
  const dir = await mkdtemp(join(tmpdir(), 'omk-agents-'));
  const callsLog = join(dir, 'calls.log');
  const calls = async (): Promise<AgentCall[]> => {
    const text = await readFile(callsLog, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AgentCall);
  };
  return {
    dir,
    callsLog,
    async script(name, body) {
      const path = join(dir, `${name}.mjs`);
      await writeFile(path, `${preamble(callsLog)}${body}\nlog('end');\n`);
      await chmod(path, 0o755);
      return `script:${path}`;
    },
    calls,
    async runs() {
      const all = await calls();
      return all
        .filter((call) => call.event === 'start')
        .map((start) => ({
          task: start.task,
          attempt: start.attempt,
          pid: start.pid,
          start: start.ts,
          end: all.find((call) => call.event === 'end' && call.pid === start.pid)?.ts ?? null,
        }));
    },
    async cleanup() {
      for (const call of await calls()) {
        // Agents run in their own process group (pid = pgid); a sleeper child is a plain pid.
        for (const pid of [call.pid, typeof call.child === 'number' ? call.child : null]) {
          if (pid === null) continue;
          killQuietly(-pid);
          killQuietly(pid);
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Is the process running? A zombie (dead, not yet reaped by an init that may never reap) is not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (not Linux): trust kill(0). With /proc, the process went away in between.
    return !existsSync('/proc/self/stat');
  }
}

/** Running (not zombie) processes whose argv holds `text`: found by /proc, never by omk's mark. */
export async function runningWithArgv(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && isAlive(Number(entry))) found.push(Number(entry));
  }
  return found;
}

// Named bodies, so a test reads as a story. Each is module code for AgentKit.script.

/** Marks every path in its write set (a file gets a line appended; a directory gets a new file). */
export const touchWrites = `
for (const path of writes) {
  if (/\\.[a-z]+$/i.test(path)) append(path, '\\n// touched by ' + task + ' attempt ' + attempt + '\\n');
  else write(path + '/' + task + '.txt', 'written by ' + task + '\\n');
}
`;

/** Sleeps, then marks its write set. */
export function sleepThenTouch(ms: number): string {
  return `await sleep(${ms});\n${touchWrites}`;
}

/** Exits with `code` every time, changing nothing. */
export function crashWith(code: number): string {
  return `log('exit', { code: ${code} });\nprocess.exit(${code});`;
}

/** Sleeps `ms` on its first run (for this task), then behaves like touchWrites. */
export function slowFirstRun(ms: number): string {
  return `if (runsSoFar(task) === 1) await sleep(${ms});\n${touchWrites}`;
}

/**
 * Waits (up to `capMs`) until `count` agent runs have started in all, then marks its write set.
 * Runs that may overlap therefore do, however slowly worktrees are made; runs that are
 * serialized never see each other and each gives up after `capMs`.
 */
export function rendezvous(count: number, capMs: number): string {
  return `const deadline = Date.now() + ${capMs};
while (runsSoFar() < ${count} && Date.now() < deadline) await sleep(25);
log('met', { runs: runsSoFar() });
await sleep(200);
${touchWrites}`;
}
