import { spawn } from 'node:child_process';
import type { ProcessResult, ProcessSpec } from '../../runtime/ports.js';
import { BoundedLog } from './bounded-log.js';

/**
 * Runs one process in its own process group, so a timeout or an abort kills everything it
 * started (agents spawn shells, test runners spawn workers). The log keeps the head and tail of the
 * output within spec.logMaxBytes (BoundedLog). Resolves; never rejects.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const started = performance.now();
  const tailChars = spec.tailChars ?? 8_000;
  const [command, ...args] = spec.argv;
  return new Promise((resolve) => {
    if (!command) {
      resolve(result(null, null, false, false, 'empty argv', started, '', ''));
      return;
    }
    const log = spec.logPath ? new BoundedLog(spec.logPath, spec.logMaxBytes) : null;
    let stdout = '';
    let tail = '';
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | null = null;
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    if (child.pid !== undefined) spec.onSpawn?.(child.pid);
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    let silent = false;
    const silence =
      spec.silenceMs === undefined
        ? null
        : setTimeout(() => {
            silent = true;
            killTree();
          }, spec.silenceMs);
    let stopped: string | null = null;
    const collect = (isStdout: boolean) => (chunk: Buffer) => {
      if (silence !== null) clearTimeout(silence);
      const text = chunk.toString('utf8');
      if (spec.watch && stopped === null) {
        stopped = spec.watch(text);
        if (stopped !== null) killTree();
      }
      if (isStdout && stdout.length < 4 * 1024 * 1024) stdout += text;
      tail = (tail + text).slice(-tailChars);
      log?.write(chunk);
    };
    child.stdout.on('data', collect(true));
    child.stderr.on('data', collect(false));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, spec.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      killTree();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.stdin.on('error', () => {
      // The child may exit without reading its input.
    });
    child.stdin.end(spec.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (silence !== null) clearTimeout(silence);
      spec.signal?.removeEventListener('abort', onAbort);
      // Grandchildren that outlived the leader would hold resources: end the group.
      killTree();
      const done = () =>
        resolve({
          ...result(code, signal, timedOut, cancelled, spawnError, started, stdout, tail),
          ...(spec.silenceMs === undefined ? {} : { silent }),
          ...(stopped === null ? {} : { stopped }),
        });
      if (log) log.end(done);
      else done();
    });
  });
}

function result(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  timedOut: boolean,
  cancelled: boolean,
  spawnError: string | null,
  started: number,
  stdout: string,
  tail: string,
): ProcessResult {
  return {
    exitCode,
    signal,
    timedOut,
    cancelled,
    spawnError,
    durationMs: Math.round(performance.now() - started),
    stdout,
    tail,
  };
}
