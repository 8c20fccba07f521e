// /proc/<pid>/environ shows the environment block a process was started with, to every process of
// the same user (PTRACE_MODE_READ, which Yama's ptrace_scope 1 does not restrict), and neither
// `delete process.env.X` nor setenv changes that block: they change the `environ` pointers, not the
// bytes the kernel reads between env_start and env_end. So an unsandboxed agent, which runs as omk's
// user, reads omk's tokens there unless omk overwrites them in its own memory.
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** What became of the secret variables of the start-up block. */
export type EnvironScrub =
  /** `names`: the variables whose values now read as `*` (none: there were none). */
  | { scrubbed: true; names: string[] }
  /** Why the block could not be scrubbed; the variables named are still readable there. */
  | { scrubbed: false; problem: string; names: string[] };

export interface EnvironScrubOptions {
  platform?: NodeJS.Platform;
  /** /proc/self, or another process's /proc entry in a test. */
  proc?: string;
}

const FILLER = 0x2a; // '*'

/**
 * Overwrites the values of the variables `secret` names in this process's start-up environment
 * block, keeping its layout (each value keeps its length, as `*`s). A variable still in
 * process.env is first set again, so setenv copies it to the heap and getenv (process.env) reads that copy, not
 * the bytes overwritten here. Never throws: a failure is returned, for a warning.
 */
export function scrubStartEnvironment(
  secret: (name: string) => boolean,
  options: EnvironScrubOptions = {},
): EnvironScrub {
  const { platform = process.platform, proc = '/proc/self' } = options;
  // The block is this process's own, so its variables are set again in its own environment.
  const env = process.env;
  let names: string[] = [];
  if (platform !== 'linux') {
    names = Object.keys(env).filter(secret);
    return { scrubbed: false, problem: `only Linux is supported (this is ${platform})`, names };
  }
  if (!isMainThread) {
    // A worker's process.env is its own copy: setting a variable there leaves `environ` pointing
    // into the block, so overwriting it would change what the process's getenv returns.
    names = Object.keys(env).filter(secret);
    return { scrubbed: false, problem: 'only the main thread can scrub it', names };
  }
  let fd: number | null = null;
  try {
    const [start, end] = environBounds(readFileSync(`${proc}/stat`, 'latin1'));
    fd = openSync(`${proc}/mem`, 'r+');
    const block = Buffer.alloc(end - start);
    readSync(fd, block, 0, block.length, start);
    const values = secretValues(block, secret);
    names = [...new Set(values.map((value) => value.name))];
    for (const name of names) {
      const value = env[name];
      if (value !== undefined) env[name] = value;
    }
    for (const value of values) {
      writeSync(fd, Buffer.alloc(value.length, FILLER), 0, value.length, start + value.offset);
    }
    // A kernel (or gVisor) may accept the write and change nothing: read back what is there now.
    readSync(fd, block, 0, block.length, start);
    const left = secretValues(block, secret).filter(
      (value) => !block.subarray(value.offset, value.offset + value.length).every((byte) => byte === FILLER),
    );
    if (left.length > 0) {
      return { scrubbed: false, problem: 'the block did not change when written', names };
    }
    return { scrubbed: true, names };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { scrubbed: false, problem, names: names.length > 0 ? names : Object.keys(env).filter(secret) };
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * env_start and env_end, fields 50 and 51 of /proc/<pid>/stat (proc(5)), counted after the last
 * `)`, since the command name (field 2) may hold spaces and parentheses.
 */
export function environBounds(stat: string): [number, number] {
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  // fields[0] is field 3 (state).
  const start = Number(fields[50 - 3]);
  const end = Number(fields[51 - 3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start <= 0 || end <= start) {
    throw new Error('/proc/self/stat has no environment bounds (Linux 3.5 or later has them)');
  }
  return [start, end];
}

interface BlockValue {
  name: string;
  /** Where the value starts in the block, and its length in bytes. */
  offset: number;
  length: number;
}

/** The values of the block's `NAME=value` entries whose names `secret` names. */
function secretValues(block: Buffer, secret: (name: string) => boolean): BlockValue[] {
  const values: BlockValue[] = [];
  let entry = 0;
  while (entry < block.length) {
    let stop = block.indexOf(0, entry);
    if (stop === -1) stop = block.length;
    const equals = block.indexOf(0x3d, entry);
    if (equals !== -1 && equals < stop) {
      const name = block.toString('utf8', entry, equals);
      if (secret(name) && stop > equals + 1) {
        values.push({ name, offset: equals + 1, length: stop - equals - 1 });
      }
    }
    entry = stop + 1;
  }
  return values;
}
