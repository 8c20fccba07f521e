import { isAbsolute, resolve } from 'node:path';
import type { OmkConfig } from '../config/schema.js';
import { isOmkError } from '../errors.js';
import { unavailableAdvice } from '../gates/availability.js';
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
  const perGate = await Promise.all(gates.map((gate) => checkGateExecutable(gate, root, probes)));
  return [summary, ...perGate];
}

function describeGate(gate: GateSpec): string {
  return `${gate.name} (${gate.argv.join(' ')}${gate.required ? '' : ', optional'})`;
}

async function checkGateExecutable(gate: GateSpec, root: string, probes: DoctorProbes): Promise<DoctorCheck> {
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
  if (found !== null) return { ...base, status: 'ok', detail: `${command} → ${found}` };
  const where = command.includes('/') ? 'is missing or not executable' : 'was not found on PATH';
  return {
    ...base,
    status: gate.required ? 'fail' : 'warn',
    detail: `\`${command}\` ${where} (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
    // The line a goal run gives for the same gate (one line of YAML flow style, ready to paste);
    // an optional gate only needs turning off.
    fix: gate.required
      ? unavailableAdvice(gate, command, [gate.kind])
      : `Install ${command} where omk runs the gates (on PATH), or turn the gate off in .omk/config.yml: gates: { list: [ { name: ${JSON.stringify(gate.name)}, enabled: false } ] }`,
  };
}
