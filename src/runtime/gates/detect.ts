import type { GatesConfig } from '../config/schema.js';
import { REQUIRED_GATE_KINDS } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { goDetector } from './detect-go.js';
import { makeDetector } from './detect-make.js';
import { nodeDetector } from './detect-node.js';
import { pythonDetector } from './detect-python.js';
import { rustDetector } from './detect-rust.js';
import {
  createDetectContext,
  type DetectContext,
  type DetectedGate,
  type GateDetector,
  type RunnableGate,
} from './detector.js';

/** Registry order is output order, and decides which detector keeps a plain name on a clash. */
export const GATE_DETECTORS: readonly GateDetector[] = [
  nodeDetector,
  rustDetector,
  goDetector,
  pythonDetector,
  makeDetector,
];

const CONFIG_SOURCE = '.omk/config.yml';

/**
 * The gates for a tree: detected from its files (unless `gates.detect` is false), then overridden,
 * removed or extended by `gates.list`. `files` are repository-relative paths (e.g. `git ls-files`).
 */
export function detectGates(
  repoRoot: string,
  files: readonly string[],
  config: { gates: GatesConfig },
  detectors: readonly GateDetector[] = GATE_DETECTORS,
): RunnableGate[] {
  return detectGatesIn(createDetectContext(repoRoot, files), config, detectors);
}

/** detectGates over a context already made (a commit's tree: gates/committed.ts). */
export function detectGatesIn(
  context: DetectContext,
  config: { gates: GatesConfig },
  detectors: readonly GateDetector[] = GATE_DETECTORS,
): RunnableGate[] {
  const detected = config.gates.detect ? runDetectors(context, detectors) : [];
  return applyGateConfig(detected, config.gates);
}

export function runDetectors(context: DetectContext, detectors: readonly GateDetector[]): DetectedGate[] {
  const gates: DetectedGate[] = [];
  const names = new Set<string>();
  const primary = detectors.filter((detector) => !detector.fallback);
  const fallback = detectors.filter((detector) => detector.fallback);
  for (const detector of [...primary, ...fallback]) {
    const coveredKinds = new Set(gates.map((gate) => gate.kind));
    for (const gate of detector.detect(context)) {
      if (detector.fallback && coveredKinds.has(gate.kind)) continue;
      // Two ecosystems in one repo both have a `test`: keep both, qualify the later one.
      let name = names.has(gate.name) ? `${detector.name}-${gate.name}` : gate.name;
      for (let n = 2; names.has(name); n += 1) name = `${detector.name}-${gate.name}-${n}`;
      names.add(name);
      gates.push({ ...gate, name });
    }
  }
  return gates;
}

export function applyGateConfig(detected: readonly DetectedGate[], config: GatesConfig): RunnableGate[] {
  const gates = new Map<string, RunnableGate>();
  for (const gate of detected) {
    gates.set(gate.name, toSpec(gate, gate.source, undefined, undefined, config.timeout));
  }
  for (const [index, entry] of config.list.entries()) {
    const where = `${CONFIG_SOURCE} gates.list[${index}]`;
    const existing = gates.get(entry.name);
    if (entry.enabled === false) {
      gates.delete(entry.name);
      continue;
    }
    if (existing) {
      const replaced = entry.run !== undefined;
      const merged: DetectedGate = {
        name: existing.name,
        kind: entry.kind ?? existing.kind,
        argv: entry.run ?? existing.argv,
        source: replaced ? where : `${existing.source}, overridden by ${where}`,
        // A replacement command does not inherit the detected tool's way of reporting failure.
        failOnOutput: entry.failOnOutput ?? (replaced ? false : existing.failOnOutput),
      };
      // Nor its report flags: omk never adds arguments to a command the user wrote.
      if (!replaced && existing.report) merged.report = existing.report;
      gates.set(
        entry.name,
        withPolicy(toSpec(merged, merged.source, entry.required, entry.timeout, config.timeout), entry),
      );
    } else if (entry.run !== undefined) {
      const kind = entry.kind ?? (REQUIRED_GATE_KINDS.includes(entry.name) ? entry.name : 'custom');
      const gate: DetectedGate = { name: entry.name, kind, argv: entry.run, source: where };
      if (entry.failOnOutput !== undefined) gate.failOnOutput = entry.failOnOutput;
      gates.set(
        entry.name,
        withPolicy(toSpec(gate, where, entry.required, entry.timeout, config.timeout), entry),
      );
    } else if (entry.required === true) {
      // A gate the user requires must not vanish silently because this tree lacks it.
      const known = [...gates.keys()].join(', ') || 'none';
      throw new ConfigError(
        `${where}: gate '${entry.name}' is required but was not detected and has no \`run\` (detected: ${known}).`,
        {
          hint: `Give it a command, e.g.\n  - name: ${entry.name}\n    run: ["npm", "run", "${entry.name}"]`,
        },
      );
    }
    // Otherwise it tunes a gate this tree does not have: nothing to run.
  }
  return [...gates.values()];
}

/** The config's pre-existing policy on a gate; only `block` is recorded (allow is the default). */
function withPolicy(spec: RunnableGate, entry: GatesConfig['list'][number]): RunnableGate {
  const policed: RunnableGate = entry.preExisting === 'block' ? { ...spec, preExisting: 'block' } : spec;
  return entry.network === undefined ? policed : { ...policed, network: entry.network };
}

function toSpec(
  gate: DetectedGate,
  source: string,
  required: boolean | undefined,
  timeoutMs: number | undefined,
  defaultTimeoutMs: number,
): RunnableGate {
  const spec: RunnableGate = {
    name: gate.name,
    kind: gate.kind,
    argv: [...gate.argv],
    required: required ?? REQUIRED_GATE_KINDS.includes(gate.kind),
    timeoutMs: timeoutMs ?? defaultTimeoutMs,
    source,
  };
  if (gate.failOnOutput) spec.failOnOutput = true;
  if (gate.report) spec.report = { ...gate.report, args: [...gate.report.args] };
  return spec;
}
