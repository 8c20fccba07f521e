// New dependencies in manifest hunks. A hunk shows only part of a manifest, so section state
// (which table or object a line sits in) is rebuilt per hunk from the lines it shows; where the
// section is unknown, a line counts only when its shape is unmistakably a dependency entry.

import type { DiffFile, DiffLine } from './diff.js';
import { baseName } from './files.js';

export interface NewDependency {
  manifest: string;
  name: string;
}

/** A scanner reads one side of a hunk in order and returns the names on `emit` lines. */
type Scanner = (lines: readonly { text: string; emit: boolean }[]) => string[];

/** Dependencies named on added lines and not on removed ones: a version bump is not new. */
export function newDependencies(files: readonly DiffFile[]): NewDependency[] {
  const found: NewDependency[] = [];
  for (const file of files) {
    const scanner = scannerFor(file.path);
    if (scanner === null || file.binary) continue;
    const added = new Set<string>();
    const removed = new Set<string>();
    for (const hunk of file.hunks) {
      for (const name of scanner(side(hunk, 'added'))) added.add(name);
      for (const name of scanner(side(hunk, 'removed'))) removed.add(name);
    }
    for (const name of [...added].sort()) {
      if (!removed.has(name)) found.push({ manifest: file.path, name });
    }
  }
  return found;
}

/** The new file's view (context + added) or the old one's (context + removed). */
function side(hunk: readonly DiffLine[], kind: 'added' | 'removed'): { text: string; emit: boolean }[] {
  return hunk
    .filter((line) => line.kind === 'context' || line.kind === kind)
    .map((line) => ({ text: line.text, emit: line.kind === kind }));
}

function scannerFor(path: string): Scanner | null {
  const name = baseName(path).toLowerCase();
  if (name === 'package.json') return scanPackageJson;
  if (name === 'cargo.toml') return scanCargo;
  if (name === 'go.mod') return scanGoMod;
  if (name === 'pyproject.toml') return scanPyproject;
  if (/^requirements.*\.(?:txt|in)$/.test(name) || /(?:^|\/)requirements\/[^/]+\.txt$/i.test(path)) {
    return scanRequirements;
  }
  return null;
}

const NPM_SECTIONS = new Set(['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']);
const NPM_ENTRY = /^\s*"((?:@[\w.~-]+\/)?[\w.~-]+)"\s*:\s*"([^"]*)"/;
const NPM_SPEC =
  /^(?:[~^<>=v\s]*\d|\*$|latest$|next$|workspace:|npm:|file:|link:|git\+|git:|github:|https?:|[\w.-]+\/[\w.-]+(?:#\S*)?$)/;
// Outside a known section these look like entries but are package fields or engines.
const NPM_NOT_DEPENDENCIES = new Set(
  'version node npm pnpm yarn packageManager main module types typings browser bin homepage repository bugs funding author license'.split(
    ' ',
  ),
);

function scanPackageJson(lines: readonly { text: string; emit: boolean }[]): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  // Until the hunk closes an object, the enclosing object is unknown; once it does, the hunk is
  // outside any dependency section, because those never contain objects.
  let known = false;
  for (const { text, emit } of lines) {
    const open = /^\s*"([^"]+)"\s*:\s*\{\s*(?:\}\s*)?,?\s*$/.exec(text);
    if (open !== null) {
      if (!/\}\s*,?\s*$/.test(text)) stack.push(open[1] ?? '');
      continue;
    }
    if (/^\s*\}/.test(text)) {
      stack.pop();
      if (stack.length === 0) known = true;
      continue;
    }
    const entry = NPM_ENTRY.exec(text);
    if (entry === null || !emit) continue;
    const [, name = '', spec = ''] = entry;
    const section = stack.at(-1);
    if (section !== undefined ? NPM_SECTIONS.has(section) : !known && looksLikeNpmEntry(name, spec)) {
      names.push(name);
    }
  }
  return names;
}

function looksLikeNpmEntry(name: string, spec: string): boolean {
  return !NPM_NOT_DEPENDENCIES.has(name) && NPM_SPEC.test(spec);
}

const TOML_HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;
const TOML_KEY = /^\s*"?([A-Za-z0-9_.-]+)"?\s*=\s*(.*)$/;
const CARGO_SECTION = /(?:^|\.)(?:dev-|build-)?dependencies$/;
const CARGO_TABLE = /(?:^|\.)(?:dev-|build-)?dependencies\.("?)([A-Za-z0-9_-]+)\1$/;
const CARGO_NOT_DEPENDENCIES = new Set(['name', 'version', 'edition', 'rust-version', 'resolver', 'license']);

function scanCargo(lines: readonly { text: string; emit: boolean }[]): string[] {
  const names: string[] = [];
  let section: string | null = null;
  for (const { text, emit } of lines) {
    const header = TOML_HEADER.exec(text);
    if (header !== null) {
      section = header[1] ?? '';
      // [dependencies.serde] names the dependency in the header itself.
      const table = CARGO_TABLE.exec(section);
      if (emit && table !== null) names.push(table[2] ?? '');
      continue;
    }
    const entry = TOML_KEY.exec(text);
    if (entry === null || !emit) continue;
    const [, name = '', value = ''] = entry;
    const inDependencies = section === null ? looksLikeCargoEntry(name, value) : CARGO_SECTION.test(section);
    // `serde.workspace = true` is a dotted key; crate names never contain ".".
    if (inDependencies) names.push(name.split('.')[0] ?? name);
  }
  return names;
}

function looksLikeCargoEntry(name: string, value: string): boolean {
  if (CARGO_NOT_DEPENDENCIES.has(name)) return false;
  return /^"[~^=<>*\s]*\d/.test(value) || /^\{.*\b(?:version|path|git)\s*=/.test(value);
}

function scanGoMod(lines: readonly { text: string; emit: boolean }[]): string[] {
  const names: string[] = [];
  // null: not known yet; the hunk may start inside a block.
  let block: string | null = null;
  for (const { text, emit } of lines) {
    const opened = /^\s*(require|replace|exclude|retract|tool|godebug)\s*\(\s*$/.exec(text);
    if (opened !== null) {
      block = opened[1] ?? '';
      continue;
    }
    if (/^\s*\)\s*$/.test(text)) {
      block = '';
      continue;
    }
    if (!emit) continue;
    const single = /^\s*require\s+(\S+)\s+v\d/.exec(text);
    if (single !== null) {
      names.push(single[1] ?? '');
      continue;
    }
    // "module/path v1.2.3 // indirect"; replace lines ("a v1 => b v2") do not match.
    const item = /^\s*([A-Za-z0-9][^\s()=]*)\s+v\d\S*\s*(?:\/\/.*)?$/.exec(text);
    if (item !== null && (block === 'require' || block === null)) names.push(item[1] ?? '');
  }
  return names;
}

function scanRequirements(lines: readonly { text: string; emit: boolean }[]): string[] {
  return lines.flatMap(({ text, emit }) => {
    // Options (-r, -c, -e, --index-url) and comments name no package by themselves.
    const line = text.replace(/(?:^|\s)#.*$/, '').trim();
    if (!emit || line === '' || line.startsWith('-')) return [];
    const name = pep508Name(line);
    return name === null ? [] : [name];
  });
}

const POETRY_TABLE = /^tool\.poetry\.(?:(?:dev-)?dependencies|group\.[^.]+\.dependencies)$/;
const ARRAY_OPEN = /^\s*"?([A-Za-z0-9_.-]+)"?\s*=\s*\[(.*)$/;
const QUOTED = /"([^"]*)"|'([^']*)'/g;

function scanPyproject(lines: readonly { text: string; emit: boolean }[]): string[] {
  const names: string[] = [];
  let section: string | null = null;
  // Inside a requirement array: [project] dependencies, optional-dependencies, dependency-groups.
  let inArray = false;
  for (const { text, emit } of lines) {
    const header = TOML_HEADER.exec(text);
    if (header !== null) {
      section = header[1] ?? '';
      inArray = false;
      continue;
    }
    const opened = ARRAY_OPEN.exec(text);
    if (opened !== null) {
      const key = opened[1] ?? '';
      const rest = opened[2] ?? '';
      const isRequirements =
        ((section === 'project' || section === null) && key === 'dependencies') ||
        section === 'project.optional-dependencies' ||
        section === 'dependency-groups';
      inArray = isRequirements && !closesArray(rest);
      if (emit && isRequirements) names.push(...requirementsIn(rest, true));
      continue;
    }
    if (section !== null && POETRY_TABLE.test(section)) {
      const entry = TOML_KEY.exec(text);
      if (emit && entry !== null && entry[1] !== 'python') names.push(normalizePython(entry[1] ?? ''));
      continue;
    }
    if (emit && (inArray || section === null)) names.push(...requirementsIn(text, inArray));
    if (closesArray(text)) inArray = false;
  }
  return names;
}

/** A "]" outside quotes; the one in "requests[socks]" is extras, not the end of the array. */
function closesArray(text: string): boolean {
  return text.replace(QUOTED, '').includes(']');
}

/**
 * Quoted PEP 508 strings on one line. Outside a known array only strings with a version comparison
 * count: any TOML array holds quoted strings, but few of them look like "name>=1.0".
 */
function requirementsIn(text: string, known: boolean): string[] {
  if (text.includes('include-group')) return [];
  return [...text.matchAll(QUOTED)].flatMap((hit) => {
    const requirement = hit[1] ?? hit[2] ?? '';
    if (!known && !/[<>!~=]=|[<>]/.test(requirement)) return [];
    const name = pep508Name(requirement);
    return name === null ? [] : [name];
  });
}

function pep508Name(requirement: string): string | null {
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@(]|$)/.exec(
    requirement,
  );
  return match === null ? null : normalizePython(match[1] ?? '');
}

/** PEP 503: names compare case-insensitively with runs of "-", "_" and "." as one "-". */
function normalizePython(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
