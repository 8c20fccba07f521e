import { isAbsolute, join, relative } from 'node:path';
import type { AnnotationTarget } from '../adapters/actions-runner/core.js';
import type { GateEvidence, GateGroup } from '../runtime/app/index.js';
import type { Annotation } from '../runtime/app/ports.js';
import { annotationsFromGateOutput, gateOutcomeLabel, shortSha } from '../runtime/app/render.js';

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
 * Failing gates as workflow annotations on the lines their output names: failed and timed-out
 * gates as errors, pre-existing failures as warnings (they fail on the base too). A gate whose
 * output names no line still gets one annotation, so no failure is silent.
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
      const level = levelOf(gate);
      if (level === null) continue;
      const title = `omk gate ${gate.name}: ${gateOutcomeLabel(gate)}`;
      const found = annotationsFromGateOutput(gate.name, gate.tail, MAX_ANNOTATIONS, {
        repoRoot: group.root ?? where.repoRoot,
        level,
      });
      if (found.length === 0) {
        const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
        add({
          level: LEVELS[level],
          message: `${gate.name} ${gateOutcomeLabel(gate)}${exit} on ${shortSha(gate.sha)}; its output is in the job summary.`,
          target: { title },
        });
      }
      for (const entry of found) {
        // Pre-existing failures are not this change's: at most warnings.
        const entryLevel = level === 'warning' && entry.level === 'failure' ? 'warning' : entry.level;
        add({
          level: LEVELS[entryLevel],
          message: entry.message,
          target: {
            title,
            file: workspacePath(entry.path, where),
            startLine: entry.startLine,
            endLine: entry.endLine,
          },
        });
      }
    }
  }
  return out;
}

function levelOf(gate: GateEvidence): Annotation['level'] | null {
  if (gate.outcome === 'failed' || gate.outcome === 'timeout') return 'failure';
  return gate.outcome === 'pre_existing' ? 'warning' : null;
}

/** Annotations take paths relative to the workspace; working-directory may be below it. */
function workspacePath(path: string, where: { repoRoot: string; workspace: string | undefined }): string {
  if (where.workspace === undefined) return path;
  const fromWorkspace = relative(where.workspace, join(where.repoRoot, path));
  return fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)
    ? path
    : fromWorkspace.split('\\').join('/');
}
