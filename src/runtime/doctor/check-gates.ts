import type { OmkConfig } from '../config/schema.js';
import { isOmkError } from '../errors.js';
import { installWords, unavailableAdvice } from '../gates/availability.js';
import { scriptOf } from '../gates/package-script.js';
import { pnpmRecursiveRun } from '../gates/pnpm-recursive.js';
import type { GateSpec } from '../gates/port.js';
import { lookUpGateTool, once, type ToolLookupInput } from '../gates/tool-lookup.js';
import { unmetRequirement } from '../gates/toolchain-requirements.js';
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
  const manifest = scripts === null ? null : await probes.nodeManifest(root);
  // What a run's preflight would not blame, neither does the doctor: a tool the run's install gives.
  const ownInstall = once(() => probes.ownInstall(root, config));
  const perGate = await Promise.all(
    gates.map((gate) => checkGateExecutable(gate, { root, scripts, ownInstall, manifest }, probes)),
  );
  return [summary, ...perGate, ...(manifest?.unpinned === undefined ? [] : [unpinned(manifest.unpinned)])];
}

/** A pnpm project without pnpm-lock.yaml: what its worktrees' installs resolve is not the checkout's. */
function unpinned(detail: string): DoctorCheck {
  return {
    id: 'gates:lockfile',
    title: 'lockfile',
    status: 'warn',
    detail,
    fix: 'run `pnpm install` in your checkout and commit pnpm-lock.yaml: each worktree then installs exactly what it pins (`pnpm install --frozen-lockfile`)',
  };
}

function describeGate(gate: GateSpec): string {
  return `${gate.name} (${gate.argv.join(' ')}${gate.required ? '' : ', optional'})`;
}

async function checkGateExecutable(
  gate: GateSpec,
  input: ToolLookupInput,
  probes: DoctorProbes,
): Promise<DoctorCheck> {
  const base = { id: `gate:${gate.name}`, title: `gate ${gate.name}` };
  // The run's preflight asks the same look-up (gates/tool-lookup.ts): what one blames, so does the other.
  const lookup = await lookUpGateTool(gate, input, probes);
  const { command } = lookup;
  if (lookup.status === 'missing') {
    return {
      ...base,
      status: gate.required ? 'fail' : 'warn',
      detail: `\`${command}\` ${lookup.where} (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
      fix: fixFor(gate, command),
    };
  }
  // What the gate's own output would show a run (availability.ts): a go too old for go.mod, a
  // pytest plugin addopts names and the gates' python lacks. The same rule and words for both.
  const unmet = await unmetRequirement(gate, lookup.at, {
    readFile: (path) => probes.headFile(input.root, path),
    goVersion: (go) => probes.goVersion(go),
    missingPythonModules: (python, modules) => probes.missingPythonModules(python, modules),
  });
  if (unmet !== null) {
    return {
      ...base,
      status: gate.required ? 'fail' : 'warn',
      detail: `\`${command}\` (${lookup.at}) cannot start the gate: ${unmet.reason} (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
      fix: fixFor(gate, unmet.tool, null, unmet.reason),
    };
  }
  const ok: DoctorCheck = { ...base, status: 'ok', detail: `${command} → ${lookup.at}` };
  const { script } = lookup;
  if (script === null) return ok;
  const runs = `scripts.${script.script} runs ${script.tool}`;
  switch (script.status) {
    case 'found':
      return {
        ...ok,
        detail: `${ok.detail} (${runs} → ${script.at}${chained(gate, script.chain, script.pre)}${recursive(gate, input.scripts?.[script.script])})`,
      };
    case 'unchecked':
      return { ...ok, detail: `${ok.detail} (${runs}, not checked: ${script.why})` };
    case 'missing':
      return {
        ...ok,
        status: gate.required ? 'fail' : 'warn',
        detail: `\`${script.tool}\` ${script.where}: \`${gate.argv.join(' ')}\` runs scripts.${script.script}, which starts with it (${gate.required ? 'required' : 'optional'} gate, from ${gate.source})`,
        fix: fixFor(gate, script.tool, script.install ?? null),
      };
  }
}

const CHAINED_KINDS: Readonly<Record<string, string>> = {
  xo: 'lint',
  eslint: 'lint',
  standard: 'lint',
  oxlint: 'lint',
  tsc: 'typecheck',
  tsd: 'typecheck',
  'vue-tsc': 'typecheck',
  prettier: 'format',
};

/**
 * A `run:` from .omk/config.yml runs as written, and jest's and vitest's default reporters name
 * only failing tests: these options make them name every test, so a fix still shows fail→pass.
 */
const VERBOSE_RUN: Readonly<Record<string, readonly string[]>> = {
  jest: ['jest', '--verbose'],
  vitest: ['vitest', 'run', '--reporter=verbose'],
};

/**
 * A script chaining tools (`xo && ava && tsd`) is one gate: the first that fails stops the rest, so
 * the base's lint debt hides its tests. Says so, with the gates that judge each apart.
 */
function chained(gate: GateSpec, chain: readonly string[], pre: string | undefined): string {
  if (chain.length < 2 || chain.some((tool) => !/^[\w@./+-]+$/.test(tool))) return '';
  const seen = new Set<string>();
  const entries = chain.map((tool) => {
    const kind = CHAINED_KINDS[tool] ?? gate.kind;
    const name = seen.has(kind) ? tool : kind;
    seen.add(kind);
    const kindField = name === 'test' && kind === 'test' ? '' : ` kind: "${kind}",`;
    const run = ['npx', ...(VERBOSE_RUN[tool] ?? [tool])].map((word) => JSON.stringify(word)).join(', ');
    return `{ name: "${name}",${kindField} run: [${run}] }`;
  });
  return (
    `; ${pre === undefined ? '' : `npm runs scripts.${pre} first, so `}it chains ${chain.join(' && ')}: the first that fails stops the rest and omk judges them as one ${gate.kind} gate, ` +
    `so lint debt fails the tests too; to judge each apart, list them as gates in .omk/config.yml, e.g. gates: { list: [ ${entries.join(', ')} ] }`
  );
}

/**
 * A pnpm workspace's `pnpm -r test` runs each package's own script, which omk does not rewrite:
 * when each runs vitest, omk hands them its verbose reporter (gates/pnpm-recursive.ts), else it
 * asks for no report; its console is read per package only where it names every test
 * (test-results/pnpm-recursive.ts), and pnpm stops at the first failing package unless told not to.
 */
function recursive(gate: GateSpec, body: string | undefined): string {
  const run = body === undefined ? null : pnpmRecursiveRun(body);
  if (run === null) return '';
  const bail = run.bails
    ? `, and pnpm stops at the first package that fails: the packages after it do not run on that tree (\`pnpm -r --no-bail ${run.script}\` runs them all)`
    : '';
  const own = `; it runs each workspace package's own ${run.script} script (pnpm -r): `;
  if (gate.report?.format === 'console') {
    return (
      `${own}each runs vitest, so omk asks every one for its verbose reporter (\`${gate.argv.join(' ')} ${gate.report.args.join(' ')}\`) ` +
      `and reads the run test by test${bail}`
    );
  }
  return (
    `${own}some package's is not vitest run with no reporter of its own, and pnpm hands every package the same options, so omk asks none of them for a per-test report: ` +
    "it reads their output test by test only where every package's runner names all its tests " +
    `(vitest's verbose reporter), else it judges the gate by its exit code${bail}`
  );
}

/**
 * The line a goal run gives for the same gate (one line of YAML flow style, ready to paste); an
 * optional gate only needs turning off. `install`: the project's install, for a tool package.json
 * declares and node_modules lacks (the same look-up as the run's: gates/tool-lookup.ts).
 */
function fixFor(
  gate: GateSpec,
  tool: string,
  install: string | null = null,
  reason: string | null = null,
): string {
  if (gate.required) return unavailableAdvice(gate, tool, [gate.kind], install, reason);
  return `${installWords(tool, install, reason)}, or turn the gate off in .omk/config.yml: gates: { list: [ { name: ${JSON.stringify(gate.name)}, enabled: false } ] }`;
}
