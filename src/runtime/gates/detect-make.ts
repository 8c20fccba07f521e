import type { DetectedGate, GateDetector } from './detector.js';

export const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];

/** target → gate name and kind. `check` is the GNU name for the self-test target. */
const TARGETS: ReadonlyArray<readonly [target: string, name: string, kind: string]> = [
  ['fmt-check', 'format', 'format'],
  ['format-check', 'format', 'format'],
  ['lint', 'lint', 'lint'],
  ['typecheck', 'typecheck', 'typecheck'],
  ['test', 'test', 'test'],
  ['check', 'check', 'test'],
];

/** Rule heads (`test lint: deps`), not variable assignments (`X := y`, `X ::= y`). */
const RULE = /^([A-Za-z0-9][^:#=\s]*(?:[ \t]+[A-Za-z0-9][^:#=\s]*)*)[ \t]*::?(?![=:])/gm;

export function makeTargets(text: string): Set<string> {
  const targets = new Set<string>();
  for (const match of text.matchAll(RULE)) {
    for (const target of (match[1] ?? '').split(/[ \t]+/)) targets.add(target);
  }
  return targets;
}

/** Make is often a wrapper around the ecosystem tools, so it only fills kinds they left open. */
export const makeDetector: GateDetector = {
  name: 'make',
  reads: MAKEFILES,
  fallback: true,
  detect(context) {
    const file = MAKEFILES.find((path) => context.has(path));
    const text = file === undefined ? null : context.read(file);
    if (file === undefined || text === null) return [];
    const targets = makeTargets(text);
    const gates: DetectedGate[] = [];
    for (const [target, name, kind] of TARGETS) {
      if (!targets.has(target) || gates.some((gate) => gate.name === name)) continue;
      gates.push({ name, kind, argv: ['make', target], source: `${file} target ${target}` });
    }
    return gates;
  },
};
