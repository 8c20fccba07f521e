import { plainLines } from '../test-results/types.js';
import type { Diagnostic, DiagnosticSource, Diagnostics } from './types.js';

/**
 * Reads lint, format and typecheck output into normalized diagnostics, for the shapes the common
 * tools print: tsc, rustc and clippy, biome, ruff, eslint (stylish and unix), xo, flake8 and other
 * `file:line:col: message` tools, prettier --check, cargo fmt --check, black / ruff format --check
 * and gofmt -l. Each reader recognises its own shape and returns nothing otherwise; the first that
 * finds a diagnostic wins. Null: nothing recognisable (the gate is then judged by its exit code).
 */
export function parseDiagnostics(output: string, cwd: string): Diagnostics | null {
  const lines = plainLines(output);
  const relative = relativeTo(cwd);
  for (const [source, read] of READERS) {
    const items = read(lines).map((item) => ({ ...item, file: relative(item.file) }));
    if (items.length > 0) return { source, items };
  }
  return null;
}

type Reader = (lines: readonly string[]) => Diagnostic[];

const at = (line: string | undefined, column: string | undefined) => ({
  line: line === undefined ? null : Number(line),
  column: column === undefined ? null : Number(column),
});

/** `src/a.ts(3,7): error TS2322: …` and, with --pretty, `src/a.ts:3:7 - error TS2322: …`. */
const tsc: Reader = (lines) =>
  lines.flatMap((text) => {
    const match =
      /^(.+?)\((\d+),(\d+)\): (?:error|warning) (TS\d+): (.*)$/.exec(text) ??
      /^(.+?):(\d+):(\d+) - (?:error|warning) (TS\d+): (.*)$/.exec(text);
    if (match) {
      const [, file = '', line, column, rule = '', message = ''] = match;
      return [{ file, ...at(line, column), rule, message: message.trim() }];
    }
    const global = /^error (TS\d+): (.*)$/.exec(text);
    return global
      ? [{ file: '', line: null, column: null, rule: global[1] ?? '', message: global[2] ?? '' }]
      : [];
  });

/** rustc and clippy: `warning: msg` / `error[E0308]: msg`, then ` --> file:line:col`, then notes. */
const rustc: Reader = (lines) => {
  const items: Diagnostic[] = [];
  let current: { diagnostic: Diagnostic; code: string | null } | null = null;
  let pending: { message: string; code: string | null } | null = null;
  const finish = () => {
    if (current !== null) items.push(current.diagnostic);
    current = null;
  };
  for (const text of lines) {
    const header = /^(?:warning|error)(?:\[(\w+)\])?: (.*)$/.exec(text);
    if (header) {
      finish();
      pending = { message: header[2] ?? '', code: header[1] ?? null };
      continue;
    }
    const where = /^\s*--> (.+?):(\d+):(\d+)\s*$/.exec(text);
    if (where && pending !== null) {
      const [, file = '', line, column] = where;
      current = {
        diagnostic: { file, ...at(line, column), rule: pending.code ?? 'rustc', message: pending.message },
        code: pending.code,
      };
      pending = null;
      continue;
    }
    if (current === null || current.code !== null) continue;
    const clippy = /rust-clippy\/[^#\s]*#([\w-]+)/.exec(text)?.[1];
    const lint =
      /#\[(?:warn|deny|forbid)\(([\w:]+)\)\]/.exec(text)?.[1] ??
      (clippy === undefined ? undefined : `clippy::${clippy}`);
    if (lint !== undefined && current.diagnostic.rule === 'rustc') current.diagnostic.rule = lint;
  }
  finish();
  return items;
};

/** ruff's full output: `F401 [*] msg`, then ` --> file:line:col`. */
const ruffFull: Reader = (lines) =>
  lines.flatMap((text, index) => {
    const header = /^([A-Z]+[0-9]+) (?:\[\*\] )?(.*)$/.exec(text);
    const where = /^\s*--> (.+?):(\d+):(\d+)\s*$/.exec(lines[index + 1] ?? '');
    if (!header || !where) return [];
    return [
      { file: where[1] ?? '', ...at(where[2], where[3]), rule: header[1] ?? '', message: header[2] ?? '' },
    ];
  });

/** biome: `file:line:col rule  FIXABLE  ━━━` (or `file format ━━━`), the message on a later `  ×`/`  !` line. */
const biome: Reader = (lines) =>
  lines.flatMap((text, index) => {
    const header = /^(\S+?)(?::(\d+):(\d+))? ([a-z][\w/]*)(?:\s+[A-Z]+)*\s+━{3,}\s*$/.exec(text);
    if (!header) return [];
    const body = lines.slice(index + 1, index + 6).find((line) => /^\s+[×!ℹi✖⚠] /.test(line));
    const message = body?.replace(/^\s+[×!ℹi✖⚠] /, '').trim() ?? '';
    return [{ file: header[1] ?? '', ...at(header[2], header[3]), rule: header[4] ?? '', message }];
  });

/** eslint's default (stylish): a file line, then `  line:col  severity  message  rule` lines. */
const eslintStylish: Reader = (lines) => {
  const items: Diagnostic[] = [];
  let file: string | null = null;
  for (const text of lines) {
    const problem = /^\s+(\d+):(\d+)\s+(?:error|warning)\s+(.*?)(?:\s{2,}(\S+))?\s*$/.exec(text);
    if (problem && file !== null) {
      const [, line, column, message = '', rule = 'eslint'] = problem;
      items.push({ file, ...at(line, column), rule, message });
      continue;
    }
    file = /^\S/.test(text) && !/^[✖>]/.test(text) && !/\s/.test(text.trim()) ? text.trim() : null;
  }
  return items;
};

/**
 * xo's reporter (eslint-formatter-pretty): an indented `file:line:col` heading (its first problem),
 * then `✖  line:col  message  rule` errors and `⚠  …` warnings.
 */
const xo: Reader = (lines) => {
  const items: Diagnostic[] = [];
  let file: string | null = null;
  for (const text of lines) {
    const heading = /^\s+([^\s✖⚠]\S*?):\d+:\d+\s*$/.exec(text);
    if (heading !== null) {
      file = heading[1] ?? null;
      continue;
    }
    const problem = /^\s+[✖⚠]\s+(\d+):(\d+)\s+(.*?)\s{2,}(\S+)\s*$/.exec(text);
    if (problem !== null && file !== null) {
      const [, line, column, message = '', rule = 'xo'] = problem;
      items.push({ file, ...at(line, column), rule, message });
    } else if (text.trim() === '') file = null;
  }
  return items;
};

/** Tools that list files: prettier --check, cargo fmt --check, black and ruff format --check. */
const unformatted: Reader = (lines) => {
  const items = lines.flatMap((text): Diagnostic[] => {
    const file =
      /^\[warn\] (\S+)$/.exec(text)?.[1] ??
      /^Diff in (.+?)(?: at line \d+|:\d+):\s*$/.exec(text)?.[1] ??
      /^[Ww]ould reformat:? (.+)$/.exec(text)?.[1];
    if (file !== undefined)
      return [{ file, line: null, column: null, rule: 'format', message: 'not formatted' }];
    const error = /^\[error\] ([^:\s]+): (.*)$/.exec(text);
    return error
      ? [{ file: error[1] ?? '', line: null, column: null, rule: 'prettier', message: error[2] ?? '' }]
      : [];
  });
  // cargo fmt prints one `Diff in` per hunk: a file counts once.
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.file}\0${item.rule}\0${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** gofmt -l: every line is a Go file (it exits 0; the gate fails on its output). */
const fileList: Reader = (lines) => {
  const files = lines.map((line) => line.trim()).filter((line) => line !== '');
  if (files.length === 0 || !files.every((file) => /^[^\s]+\.go$/.test(file))) return [];
  return files.map((file) => ({ file, line: null, column: null, rule: 'gofmt', message: 'not formatted' }));
};

/**
 * `file:line[:col]: message`: flake8, ruff (concise), eslint -f unix, mypy, go vet, golangci-lint.
 * The rule is a leading code (F401, E501), a trailing `[Error/rule]` or `[code]`, or a trailing
 * `(linter)`.
 */
const fileLineCol: Reader = (lines) =>
  lines.flatMap((text) => {
    const match = /^([^\s:]*[./][^\s:]*):(\d+)(?::(\d+))?: (.*)$/.exec(text);
    if (!match) return [];
    const [, file = '', line, column] = match;
    let rest = (match[4] ?? '').replace(/^(?:error|warning): /, '');
    if (/^note: /.test(rest)) return [];
    let rule = 'lint';
    const code = /^([A-Z]+[0-9]+) (?:\[\*\] )?/.exec(rest);
    const trailing =
      /\s*\[(?:(?:Error|Warning)\/)?([\w@/.-]+)\]$/.exec(rest) ?? /\s+\(([\w-]+)\)$/.exec(rest);
    if (code) {
      rule = code[1] ?? rule;
      rest = rest.slice(code[0].length);
    } else if (trailing) {
      rule = trailing[1] ?? rule;
      rest = rest.slice(0, trailing.index);
    }
    return [{ file, ...at(line, column), rule, message: rest.trim() }];
  });

const READERS: readonly (readonly [DiagnosticSource, Reader])[] = [
  ['tsc', tsc],
  ['rustc', rustc],
  ['ruff', ruffFull],
  ['biome', biome],
  ['eslint-stylish', eslintStylish],
  ['xo', xo],
  ['format-check', unformatted],
  ['file-list', fileList],
  ['file-line-col', fileLineCol],
];

/** Paths relative to the tree the gate ran in: the head and the base are different directories. */
function relativeTo(cwd: string): (file: string) => string {
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return (file) => {
    const slashed = file.replaceAll('\\', '/');
    const inside = slashed.startsWith(prefix) ? slashed.slice(prefix.length) : slashed;
    return inside.replace(/^\.\//, '');
  };
}
