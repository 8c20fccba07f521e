// Preload for bench/file-opens.mjs where strace is not on PATH: `node --import <this file> ...`
// counts the files this node process opens by path through node:fs and node:fs/promises (open,
// readFile, writeFile, appendFile and their Sync forms; fs.promises is the same object as
// node:fs/promises) and, when the process exits, writes one JSON line per successful open to the
// file named by OMK_BENCH_OPENS_FILE: { "api", "path" (absolute), "read" (opened read-only) }.
//
// Limits, which strace does not have: child processes are not counted (they do not load this
// file), and neither are opens that bypass these functions (native code, other fs functions).
// A call made inside another counted call (fs.readFileSync opening through fs.openSync,
// fs.appendFile through fs.writeFile) is one open, not two.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const output = process.env.OMK_BENCH_OPENS_FILE;
if (!output) throw new Error('count-opens: OMK_BENCH_OPENS_FILE is not set');

const opens = [];
/** > 0 while a counted function runs synchronously: the fs calls it makes itself are not opens of their own. */
let depth = 0;

/** An absolute path, or null for an fd or a FileHandle (whose open was counted when it was made). */
function pathOf(target) {
  if (typeof target === 'string') return resolve(target);
  if (Buffer.isBuffer(target)) return resolve(target.toString('utf8'));
  if (target instanceof URL) return target.protocol === 'file:' ? fileURLToPath(target) : null;
  return null;
}

/** Whether open flags ('r', 'a+', fs.constants numbers) open the file for reading only. */
function readOnly(flags) {
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) === 0;
  return /^rs?$/.test(flags);
}

/** The flags each function opens with: open's second argument, the others' `flag` option. */
const DEFAULT_FLAG = { open: 'r', readFile: 'r', writeFile: 'w', appendFile: 'a' };
function flagsOf(name, args) {
  if (name === 'open') return typeof args[1] === 'function' || args[1] == null ? 'r' : args[1];
  const options = args[name === 'readFile' ? 1 : 2];
  return (typeof options === 'object' && options?.flag) || DEFAULT_FLAG[name];
}

function record(name, target, flags) {
  const path = pathOf(target);
  if (path !== null) opens.push({ api: name, path, read: readOnly(flags) });
}

/** Runs the real function with the nesting depth raised, so the fs calls it makes are not counted. */
function call(original, thisArg, args) {
  depth += 1;
  try {
    return original.apply(thisArg, args);
  } finally {
    depth -= 1;
  }
}

function wrapSync(name) {
  const original = fs[`${name}Sync`];
  fs[`${name}Sync`] = function countedSync(...args) {
    const nested = depth > 0;
    const result = call(original, this, args);
    if (!nested) record(name, args[0], flagsOf(name, args));
    return result;
  };
}

function wrapCallback(name) {
  const original = fs[name];
  fs[name] = function counted(...args) {
    const nested = depth > 0;
    const last = args.length - 1;
    if (!nested && typeof args[last] === 'function') {
      const callback = args[last];
      const flags = flagsOf(name, args.slice(0, last));
      args[last] = function countedCallback(error, ...rest) {
        if (!error) record(name, args[0], flags);
        return callback.call(this, error, ...rest);
      };
    }
    return call(original, this, args);
  };
}

function wrapPromise(name) {
  const original = fsp[name];
  fsp[name] = function countedPromise(...args) {
    const nested = depth > 0;
    return call(original, this, args).then((result) => {
      if (!nested) record(name, args[0], flagsOf(name, args));
      return result;
    });
  };
}

for (const name of Object.keys(DEFAULT_FLAG)) {
  wrapSync(name);
  wrapCallback(name);
  wrapPromise(name);
}
// ES module imports of node:fs and node:fs/promises see the wrappers too (omk's bundle uses them).
syncBuiltinESMExports();

process.on('exit', () => {
  depth += 1; // this write is not one of the process's opens
  try {
    fs.writeFileSync(output, opens.map((open) => `${JSON.stringify(open)}\n`).join(''));
  } finally {
    depth -= 1;
  }
});
