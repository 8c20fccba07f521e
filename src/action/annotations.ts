import type { AnnotationTarget } from '../adapters/actions-runner/core.js';
import { type GateGroup, loggedGateAnnotations } from '../runtime/app/index.js';
import type { Annotation } from '../runtime/app/ports.js';

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

/** Failing gates as workflow annotations (`loggedGateAnnotations`), at the runner's levels. */
export function gateAnnotations(
  groups: readonly GateGroup[],
  where: { repoRoot: string; workspace: string | undefined },
): StepAnnotation[] {
  return loggedGateAnnotations(groups, where, MAX_ANNOTATIONS).map(({ level, message, ...target }) => ({
    level: LEVELS[level],
    message,
    target,
  }));
}
