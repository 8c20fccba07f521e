import { isAbsolute, join, relative } from 'node:path';
import { gateAnnotationLevel, gateOutputAnnotations } from '../delivery/annotations.js';
import type { Annotation } from '../forge/port.js';
import { gateOutcomeLabel, shortSha } from '../proof/render-text.js';
import type { GateEvidence } from '../proof/schema.js';
import type { GateGroup } from './goal-report.js';

/** One annotation a host shows for a gate that did not pass: on a line its output names, or on none. */
export interface GateAnnotation {
  level: Annotation['level'];
  /** `omk gate lint: failed`, the title of every annotation of that gate. */
  title: string;
  gate: GateEvidence;
  /** The line the output names (repository-relative path), or null: the gate named no line. */
  line: { path: string; startLine: number; endLine: number; message: string } | null;
}

/**
 * Which annotations failing gates get (at most `max`, each once): at the level the runtime gives
 * the gate, on the lines its output names (paths made relative to the group's root, else
 * `repoRoot`); a gate whose output names no line still gets one, so no failure is silent.
 */
export function gateAnnotationsOf(
  groups: readonly GateGroup[],
  repoRoot: string,
  max: number,
): GateAnnotation[] {
  const out: GateAnnotation[] = [];
  const seen = new Set<string>();
  const add = (annotation: GateAnnotation) => {
    const { level, title, line } = annotation;
    const { gate } = annotation;
    const key = JSON.stringify([level, title, line ?? [gate.name, gate.exitCode, gate.sha]]);
    if (out.length < max && !seen.has(key)) {
      seen.add(key);
      out.push(annotation);
    }
  };
  for (const group of groups) {
    for (const gate of group.gates) {
      const level = gateAnnotationLevel(gate);
      if (level === null) continue;
      const title = `omk gate ${gate.name}: ${gateOutcomeLabel(gate)}`;
      const found = gateOutputAnnotations(gate, max, group.root ?? repoRoot);
      if (found.length === 0) add({ level, title, gate, line: null });
      for (const entry of found) {
        const { path, startLine, endLine, message } = entry;
        add({ level: entry.level, title, gate, line: { path, startLine, endLine, message } });
      }
    }
  }
  return out;
}

/** A gate annotation as a CI log shows it: a message, and the file and lines it is on, if any. */
export interface LoggedGateAnnotation {
  level: Annotation['level'];
  title: string;
  message: string;
  /** Relative to the workspace the log's paths are read against; absent: on no line. */
  file?: string;
  startLine?: number;
  endLine?: number;
}

/**
 * `gateAnnotationsOf` for a CI log, whose paths are relative to its workspace (working-directory
 * may be below it): a gate that named no line says how it ended and where its output is.
 */
export function loggedGateAnnotations(
  groups: readonly GateGroup[],
  where: { repoRoot: string; workspace: string | undefined },
  max: number,
): LoggedGateAnnotation[] {
  return gateAnnotationsOf(groups, where.repoRoot, max).map(({ level, title, gate, line }) => {
    if (line === null) {
      const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
      const message = `${gate.name} ${gateOutcomeLabel(gate)}${exit} on ${shortSha(gate.sha)}; its output is in the job summary.`;
      return { level, title, message };
    }
    const { startLine, endLine, message } = line;
    return { level, title, message, file: workspacePath(line.path, where), startLine, endLine };
  });
}

function workspacePath(path: string, where: { repoRoot: string; workspace: string | undefined }): string {
  if (where.workspace === undefined) return path;
  const fromWorkspace = relative(where.workspace, join(where.repoRoot, path));
  return fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)
    ? path
    : fromWorkspace.split('\\').join('/');
}
