import { isAbsolute, join, relative } from 'node:path';
import type { AnnotationTarget } from '../adapters/actions-runner/core.js';
import type { GateGroup } from '../runtime/app/index.js';
import type { Annotation } from '../runtime/app/ports.js';
import {
  gateAnnotationLevel,
  gateOutcomeLabel,
  gateOutputAnnotations,
  shortSha,
} from '../runtime/app/render.js';

export interface StepAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  target: AnnotationTarget;
}

/** GitHub shows at most 10 error annotations per step in the UI; 50 keeps the log bounded too. */
const MAX_ANNOTATIONS = 50;
const LEVELS: Record<Annotation['level'], StepAnnotation['level']> = {
  failure: 'error',
  warning: 'warning',
  notice: 'notice',
};

/**
 * Failing gates as workflow annotations on the lines their output names, at the levels the
 * runtime gives them (`gateOutputAnnotations`). A gate whose output names no line still gets one
 * annotation, so no failure is silent.
 */
export function gateAnnotations(
  groups: readonly GateGroup[],
  where: { repoRoot: string; workspace: string | undefined },
): StepAnnotation[] {
  const out: StepAnnotation[] = [];
  const seen = new Set<string>();
  const add = (annotation: StepAnnotation) => {
    const key = JSON.stringify(annotation);
    if (out.length < MAX_ANNOTATIONS && !seen.has(key)) {
      seen.add(key);
      out.push(annotation);
    }
  };
  for (const group of groups) {
    for (const gate of group.gates) {
      const level = gateAnnotationLevel(gate);
      if (level === null) continue;
      const title = `omk gate ${gate.name}: ${gateOutcomeLabel(gate)}`;
      const found = gateOutputAnnotations(gate, MAX_ANNOTATIONS, group.root ?? where.repoRoot);
      if (found.length === 0) {
        const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
        add({
          level: LEVELS[level],
          message: `${gate.name} ${gateOutcomeLabel(gate)}${exit} on ${shortSha(gate.sha)}; its output is in the job summary.`,
          target: { title },
        });
      }
      for (const entry of found) {
        const file = workspacePath(entry.path, where);
        const target = { title, file, startLine: entry.startLine, endLine: entry.endLine };
        add({ level: LEVELS[entry.level], message: entry.message, target });
      }
    }
  }
  return out;
}

/** Annotations take paths relative to the workspace; working-directory may be below it. */
function workspacePath(path: string, where: { repoRoot: string; workspace: string | undefined }): string {
  if (where.workspace === undefined) return path;
  const fromWorkspace = relative(where.workspace, join(where.repoRoot, path));
  return fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)
    ? path
    : fromWorkspace.split('\\').join('/');
}
