import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { formatDuration } from '../../src/runtime/text/duration.js';
import { tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

// docs/cli.md is what a new user copies from: each command's synopsis must name exactly the
// options `--help` lists, and the transcripts under "Validation errors" must be what omk prints.

const CLI_MD = new URL('../../docs/cli.md', import.meta.url);
const markdown = await readFile(CLI_MD, 'utf8');

/** Lines of the ```text blocks. */
function textBlockLines(text: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inside = !inside && line === '```text';
    else if (inside) lines.push(line);
  }
  return lines;
}

const program = buildProgram({ stdout: () => {}, stderr: () => {}, env: {}, cwd: process.cwd() }, () => {});
const GLOBAL = new Set(program.options.map((option) => option.long));

function commandOf(words: readonly string[]): Command | undefined {
  const top = program.commands.find((command) => command.name() === words[1]);
  if (top?.name() !== 'goal') return top;
  return top.commands.find((command) => command.name() === words[2]);
}

// `omk goal pause  [GOAL_ID]`: a command, then arguments and options (not `omk proof: …`).
const synopses = textBlockLines(markdown).filter((line) => /^omk (goal )?[a-z-]+(\s+[[<-]|$)/.test(line));
// Lifecycle commands share one sentence for these: "All five accept `--format text|json` and `--json`".
const SAID_ONCE = new Set(['--format', '--json']);
const LIFECYCLE = new Set(['pause', 'resume', 'cancel', 'accept', 'reject']);

describe('docs/cli.md synopses match the command tree', () => {
  it('finds the synopses', () => {
    expect(synopses.length).toBeGreaterThanOrEqual(15);
  });

  for (const line of synopses) {
    it(line, () => {
      const words = line.split(/\s+/);
      const command = commandOf(words);
      expect(command, `no command for '${line}'`).toBeDefined();
      if (!command) return;
      const own = new Set(command.options.map((option) => option.long));
      const named = new Set(line.match(/--[a-z][a-z-]*/g) ?? []);
      const unknown = [...named].filter((option) => !own.has(option) && !GLOBAL.has(option));
      expect(unknown, `${line}: options --help does not list`).toEqual([]);
      if (line.includes('[options]')) return;
      const missing = [...own].filter(
        (option) =>
          option !== undefined &&
          option !== '--help' &&
          !named.has(option) &&
          !(LIFECYCLE.has(command.name()) && SAID_ONCE.has(option)),
      );
      expect(missing, `${line}: options --help lists that the synopsis leaves out`).toEqual([]);
    });
  }
});

/** `$ omk …` lines of the "Validation errors" section, each with the lines printed after it. */
function transcripts(): { argv: string[]; output: string }[] {
  const start = markdown.indexOf('## Validation errors');
  const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1));
  const out: { argv: string[]; output: string }[] = [];
  for (const block of section.split('$ ').slice(1)) {
    const [command = '', ...rest] = block.split('\n');
    const output = rest.join('\n').split(/\n\n|\n```/)[0] ?? '';
    const argv = [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    out.push({ argv: argv.slice(1), output });
  }
  return out;
}

describe('docs/cli.md § Validation errors is what omk prints', () => {
  let state: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    state = await tempStateDir();
  });
  afterAll(async () => state.cleanup());

  const cases = transcripts();
  it('finds the transcripts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const { argv, output } of cases) {
    it(`omk ${argv.join(' ')}`, async () => {
      // Each is refused before a repository is needed, except `--repo /tmp`, which names its own.
      const result = await runOmkInProcess(argv, { cwd: state.dir, stateDir: state.dir });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd()).toBe(output.trimEnd());
    });
  }
});

/** A duration as omk prints it (`486 ms`, `2.3 s`, `1h29m59s`) in milliseconds, or NaN. */
function printedMs(text: string): number {
  const ms = /^(\d+) ms$/.exec(text);
  if (ms) return Number(ms[1]);
  const seconds = /^(\d+\.\d) s$/.exec(text);
  if (seconds) return Number(seconds[1]) * 1000;
  const parts = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!parts || text === '') return Number.NaN;
  const [d, h, m, sec] = parts.slice(1).map((part) => Number(part ?? 0));
  return ((((d ?? 0) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (sec ?? 0)) * 1000;
}

describe('docs/cli.md shows durations as omk prints them', () => {
  // `spent      time 0s` was never printed: under a second is `486 ms` (runtime/text/duration.ts).
  const shown = textBlockLines(markdown).flatMap((line) =>
    [...line.matchAll(/^\s*(?:limits|spent|remaining)\s+time (.+?),/g)].map((m) => m[1] ?? ''),
  );
  it('finds the budget lines', () => {
    expect(shown.length).toBeGreaterThanOrEqual(6);
  });
  for (const text of new Set(shown)) {
    it(text, () => {
      expect(formatDuration(printedMs(text))).toBe(text);
    });
  }
});
