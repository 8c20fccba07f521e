// Preload for bench/goal-run.mjs: `node --import <this file> ...` records every child process this
// node process starts through node:child_process (spawn, execFile, exec, fork and their Sync forms)
// and, when the process exits, writes one JSON line per child to the file named by
// OMK_BENCH_SPAWNS_FILE: { "program" (its file name), "command" (for git: the subcommand past the
// `-c name=value` and `-C dir` options; else null), "ms" (start to exit, null for one still running) }.
// A call made inside another counted call (execFile through spawn) is one child, not two.

import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

const output = process.env.OMK_BENCH_SPAWNS_FILE;
if (!output) throw new Error('count-spawns: OMK_BENCH_SPAWNS_FILE is not set');

const spawns = [];
let depth = 0;

/** git's subcommand in its argv: the first word that is not an option or an option's value. */
function gitCommand(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = String(args[i]);
    if (arg === '-c' || arg === '-C') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

function record(file, args) {
  const program = basename(String(file));
  const entry = { program, command: program === 'git' ? gitCommand(args) : null, ms: null };
  spawns.push(entry);
  return entry;
}

for (const name of ['spawn', 'execFile', 'exec', 'fork', 'spawnSync', 'execFileSync', 'execSync']) {
  const original = childProcess[name];
  childProcess[name] = function counted(file, ...rest) {
    if (depth > 0) return original.call(this, file, ...rest);
    const args = Array.isArray(rest[0]) ? rest[0] : [];
    const entry =
      name.startsWith('exec') && !name.startsWith('execFile') ? record('sh', []) : record(file, args);
    const start = performance.now();
    depth++;
    let result;
    try {
      result = original.call(this, file, ...rest);
    } finally {
      depth--;
    }
    if (name.endsWith('Sync')) entry.ms = performance.now() - start;
    else result.once('exit', () => (entry.ms = performance.now() - start));
    return result;
  };
}
syncBuiltinESMExports();

process.once('exit', () => {
  appendFileSync(output, spawns.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
});
