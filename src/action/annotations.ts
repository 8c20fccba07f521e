import { isAbsolute, join, relative } from 'node:path';
import type { AnnotationTarget } from '../adapters/actions-runner/core.js';
import { type GateGroup, gateAnnotationsOf } from '../runtime/app/index.js';
import type { Annotation } from '../runtime/app/ports.js';
import { gateOutcomeLabel, shortSha } from '../runtime/app/render.js';

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

/** Failing gates as workflow annotations (which ones is `gateAnnotationsOf`), paths relative to the workspace. */
export function gateAnnotations(
  groups: readonly GateGroup[],
  where: { repoRoot: string; workspace: string | undefined },
): StepAnnotation[] {
  return gateAnnotationsOf(groups, where.repoRoot, MAX_ANNOTATIONS).map(({ level, title, gate, line }) => {
    if (line === null) {
      const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
      const message = `${gate.name} ${gateOutcomeLabel(gate)}${exit} on ${shortSha(gate.sha)}; its output is in the job summary.`;
      return { level: LEVELS[level], message, target: { title } };
    }
    const file = workspacePath(line.path, where);
    const target = { title, file, startLine: line.startLine, endLine: line.endLine };
    return { level: LEVELS[level], message: line.message, target };
  });
}

/** Annotations take paths relative to the workspace; working-directory may be below it. */
function workspacePath(path: string, where: { repoRoot: string; workspace: string | undefined }): string {
  if (where.workspace === undefined) return path;
  const fromWorkspace = relative(where.workspace, join(where.repoRoot, path));
  return fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)
    ? path
    : fromWorkspace.split('\\').join('/');
}
