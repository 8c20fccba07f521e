import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GateSpec, TestReportRequest } from './port.js';

/**
 * A GateSpec plus the one thing gofmt-style tools need: they report problems by printing them and
 * exit 0, so the gate fails when stdout is not empty.
 * TODO(port): fold `failOnOutput` into GateSpec in port.ts; this alias then becomes GateSpec.
 */
export type RunnableGate = GateSpec;

/** What a detector found, before config decides `required` and `timeoutMs`. */
export interface DetectedGate {
  name: string;
  kind: string;
  argv: string[];
  source: string;
  failOnOutput?: boolean;
  /** A machine-readable report the runner can give omk without changing what it tests. */
  report?: TestReportRequest;
}

/** The tree a detector looks at: its file list and a reader for small files. */
export interface DetectContext {
  /** Repository-relative paths with `/` separators. */
  readonly files: ReadonlySet<string>;
  has(path: string): boolean;
  some(predicate: (path: string) => boolean): boolean;
  /** Text of a listed file of at most 512 KB; null when missing, unlisted, too big or unreadable. */
  read(path: string): string | null;
}

/** One project type. `fallback` detectors only fill kinds that no other detector covered. */
export interface GateDetector {
  name: string;
  fallback?: boolean;
  /** Every file `detect` may read: a committed tree's context holds these and no others. */
  reads: readonly string[];
  /** Files it reads that the tree's file list names (a workspace's package.json files). */
  readsIn?(files: readonly string[]): string[];
  detect(context: DetectContext): DetectedGate[];
}

export const MAX_READ_BYTES = 512 * 1024;

/**
 * A context over a tree read beforehand (a commit's files and the texts its detectors declared).
 * Reading a file nobody declared is a detector's bug: it throws, so a test finds it.
 */
export function treeDetectContext(
  files: readonly string[],
  texts: ReadonlyMap<string, string | null>,
): DetectContext {
  const listed = new Set(files);
  return contextOver(listed, (path) => {
    const text = texts.get(path);
    if (text === undefined) throw new Error(`gate detection read ${path}, which no detector declares`);
    return listed.has(path) ? text : null;
  });
}

export function createDetectContext(repoRoot: string, files: readonly string[]): DetectContext {
  const listed = new Set(files.map((file) => file.replaceAll('\\', '/').replace(/^\.\//, '')));
  const cache = new Map<string, string | null>();
  const read = (path: string): string | null => {
    if (!listed.has(path)) return null;
    const cached = cache.get(path);
    if (cached !== undefined) return cached;
    let text: string | null = null;
    try {
      const full = join(repoRoot, path);
      if (statSync(full).size <= MAX_READ_BYTES) text = readFileSync(full, 'utf8');
    } catch {
      // A listed file that vanished or cannot be read contributes nothing.
    }
    cache.set(path, text);
    return text;
  };
  return contextOver(listed, read);
}

/** A detection context over the files `listed`, reading each through `read`. */
function contextOver(listed: ReadonlySet<string>, read: (path: string) => string | null): DetectContext {
  return {
    files: listed,
    has: (path) => listed.has(path),
    some: (predicate) => {
      for (const file of listed) if (predicate(file)) return true;
      return false;
    },
    read,
  };
}

/** A TOML/INI section header such as [tool.ruff] or [tool.ruff.lint] is present. */
export function hasSection(text: string | null, section: string): boolean {
  if (text === null) return false;
  const escaped = section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*\\[${escaped}(?:\\.[^\\]]*)?\\]`, 'm').test(text);
}
