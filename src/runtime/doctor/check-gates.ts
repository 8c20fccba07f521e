import { isAbsolute, join, resolve } from 'node:path';
import type { OmkConfig } from '../config/schema.js';
import { isOmkError } from '../errors.js';
import { unavailableAdvice } from '../gates/availability.js';
import { type ScriptTool, scriptOf, scriptTool } from '../gates/package-script.js';
import type { GateSpec } from '../gates/port.js';
import type { DoctorCheck, DoctorProbes } from './types.js';

const ADD_TEST_GATE = [
  'add a "test" script to package.json (or a test target to the Makefile), or configure one in .omk/config.yml:',
  'gates:',
  '  list:',
  '    - name: test',
  '      run: ["npm", "test"]',
].join('\n');

/** The gate list, then one check per gate for its executable. */
export async function checkGates(
  root: string,
  config: OmkConfig,
  probes: DoctorProbes,
): Promise<DoctorCheck[]> {
  const base = { id: 'gates', title: 'gates' };
  let gates: GateSpec[];
  try {
    gates = await probes.detectGates(root, config);
  } catch (error) {
    if (!isOmkError(error)) throw error;
    const check: DoctorCheck = { ...base, status: 'fail', detail: error.message };
    if (error.hint !== undefined) check.fix = error.hint;
    return [check];
  }
  const listed = gates.map(describeGate).join(', ');
  let summary: DoctorCheck;
  if (gates.length === 0) {
    summary = {
      ...base,
      status: 'warn',
      detail: 'no gates detected: without a test gate no proof can be ready',
      fix: ADD_TEST_GATE,
    };
  } else if (!gates.some((gate) => gate.kind === 'test')) {
    summary = {
      ...base,
      status: 'warn',
      detail: `${listed}; but no test gate: without one no proof can be ready`,
      fix: ADD_TEST_GATE,
    };
  } else {
    summary = { ...base, status: 'ok', detail: listed };
  }
  const scripts = gates.some((gate) => scriptOf(gate.argv) !== null)
    ? await probes.packageScripts(root)
    : null;
  const perGate = await Promise.all(gates.map((gate) => checkGateExecutable(gate, root, probes, scripts)));
  return [summary, ...perGate];
}

function describeGate(gate: GateSpec): string {
  return `${gate.name} (${gate.argv.join(' ')}${gate.required ? '' : ', optional'})`;
}

async function checkGateExecutable(
  gate: GateSpec,
  root: string,
  probes: DoctorProbes,
  scripts: Readonly<Record<string, string>> | null,
): Promise<DoctorCheck> {
  const base = { id: `gate:${gate.name}`, title: `gate ${gate.name}` };
  const command = gate.argv[0] ?? '';
  let found: string | null;
  if (command.includes('/')) {
    // Gates run in the slice worktree, a copy of the repository: relative paths start there.
    const path = isAbsolute(command) ? command : resolve(root, command);
    found = (await probes.fileState(path)) === 'ok' ? path : null;
  } else {
    found = await probes.findOnPath(command);
  }
  if (found !== null) {
    const ok: DoctorCheck = { ...base, status: 'ok', detail: `${command} → ${found}` };
    const script = scripts === null ? null : scriptTool(gate.argv, scripts);
    return script === null ? ok : checkScriptTool(gate, ok, script, root, probes);
  }
  const where = command.includes('/') ? 'is missing or not executable' : 'was not found on PATH';
  return {
    ...base,
    status: gate.required ? 'fail' : 'warn',
    detail: `\`${command}\` ${where} (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
    fix: fixFor(gate, command),
  };
}

/** The line a goal run gives for the same gate (one line of YAML flow style, ready to paste); an optional gate only needs turning off. */
function fixFor(gate: GateSpec, tool: string): string {
  return gate.required
    ? unavailableAdvice(gate, tool, [gate.kind])
    : `Install ${tool} where omk runs the gates (on PATH), or turn the gate off in .omk/config.yml: gates: { list: [ { name: ${JSON.stringify(gate.name)}, enabled: false } ] }`;
}

/**
 * A package-manager gate (`npm run format`) starts only if its script's first command does: npm
 * puts the repository's node_modules/.bin before PATH for it, so a tool found in neither fails the
 * gate as the goal run would find it (`sh: 1: prettier: not found`, exit 127). Before the
 * dependencies are installed (no node_modules) nothing is blamed: a run installs them first.
 */
async function checkScriptTool(
  gate: GateSpec,
  ok: DoctorCheck,
  { script, tool }: ScriptTool,
  root: string,
  probes: DoctorProbes,
): Promise<DoctorCheck> {
  const runs = `scripts.${script} runs ${tool}`;
  if (tool.includes('/')) {
    const path = isAbsolute(tool) ? tool : resolve(root, tool);
    if ((await probes.fileState(path)) === 'ok') return { ...ok, detail: `${ok.detail} (${runs} → ${path})` };
    return missingScriptTool(gate, ok, script, tool, 'is missing or not executable');
  }
  const local = join(root, 'node_modules', '.bin', tool);
  if ((await probes.fileState(local)) === 'ok') return { ...ok, detail: `${ok.detail} (${runs} → ${local})` };
  const onPath = await probes.findOnPath(tool);
  if (onPath !== null) return { ...ok, detail: `${ok.detail} (${runs} → ${onPath})` };
  if ((await probes.fileState(join(root, 'node_modules'))) === 'missing') {
    return {
      ...ok,
      detail: `${ok.detail} (${runs}, not checked: no node_modules, dependencies not installed)`,
    };
  }
  return missingScriptTool(gate, ok, script, tool, 'is neither in node_modules/.bin nor on PATH');
}

function missingScriptTool(
  gate: GateSpec,
  ok: DoctorCheck,
  script: string,
  tool: string,
  where: string,
): DoctorCheck {
  return {
    ...ok,
    status: gate.required ? 'fail' : 'warn',
    detail: `\`${tool}\` ${where}: \`${gate.argv.join(' ')}\` runs scripts.${script}, which starts with it (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
    fix: fixFor(gate, tool),
  };
}
