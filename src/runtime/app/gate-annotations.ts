import { gateAnnotationLevel, gateOutputAnnotations } from '../delivery/annotations.js';
import type { Annotation } from '../forge/port.js';
import { gateOutcomeLabel } from '../proof/render-text.js';
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
