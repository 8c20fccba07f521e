import { PNPM_WORKSPACE, pnpmWithoutLockfile } from '../workspace/pnpm.js';
import type { DetectContext, DetectedGate, GateDetector } from './detector.js';
import { lastTestRunner } from './node-runner.js';
import { inWorkspace, pnpmRecursiveRun, recursiveReporter, workspaceManifests } from './pnpm-recursive.js';
import type { TestReportRequest } from './port.js';

const TEST_SCRIPTS = ['test'];
const LINT_SCRIPTS = ['lint'];
const TYPECHECK_SCRIPTS = ['typecheck', 'type-check', 'tsc'];
const FORMAT_SCRIPTS = ['format:check', 'fmt:check', 'prettier:check'];

/** What `npm init` writes; running it would only ever fail. */
const PLACEHOLDER_TEST = /no test specified/;

/**
 * The lockfile says which package manager installed node_modules; the others may not even exist.
 * Without one, a pnpm project (packageManager, pnpm-workspace.yaml) is still pnpm's.
 */
function packageManager(context: DetectContext): 'npm' | 'pnpm' | 'yarn' {
  if (context.has('pnpm-lock.yaml')) return 'pnpm';
  if (context.has('yarn.lock')) return 'yarn';
  return pnpmWithoutLockfile(context) === null ? 'npm' : 'pnpm';
}

/**
 * The report to ask the test script's runner for, when its last command is vitest or jest (so
 * arguments after the script reach it): their consoles name failing tests but not passing ones,
 * their reports name both. vitest keeps its console and also writes JUnit XML; jest writes its
 * JSON results to a file (its console output is unchanged). vitest is also asked to report the
 * coverage it collects (if any) when tests fail, as jest does: the base's failing tests otherwise
 * hide the coverage thresholds it misses, which a head whose tests pass is compared with. Nothing for a watch run, for a
 * command that already picks an output file, or for anything else.
 */
export function nodeTestReport(
  body: string,
  manager: 'npm' | 'pnpm' | 'yarn',
): TestReportRequest | undefined {
  const last = lastTestRunner(body);
  if (last === undefined || /--outputFile/.test(last.command)) return undefined;
  const { runner } = last;
  // npm passes arguments to the script only after `--`; pnpm and yarn pass them as they are.
  const separator = manager === 'npm' ? ['--'] : [];
  return runner === 'vitest'
    ? {
        format: 'junit-xml',
        prefer: 'report',
        args: [
          ...separator,
          '--reporter=default',
          '--reporter=junit',
          '--outputFile.junit={file}',
          '--coverage.reportOnFailure',
        ],
      }
    : { format: 'jest-json', prefer: 'report', args: [...separator, '--json', '--outputFile={file}'] };
}

/** The tree's package.json as a JSON object; null without a readable one. */
export function readPackageJson(context: Pick<DetectContext, 'read'>): object | null {
  const text = context.read('package.json');
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

/** package.json's string scripts: {} without any, null without a readable package.json (a JSON object). */
export function readScripts(context: Pick<DetectContext, 'read'>): Record<string, string> | null {
  const parsed = readPackageJson(context);
  if (parsed === null) return null;
  const scripts: unknown = Reflect.get(parsed, 'scripts');
  if (typeof scripts !== 'object' || scripts === null) return {};
  const result: Record<string, string> = {};
  for (const [name, body] of Object.entries(scripts)) if (typeof body === 'string') result[name] = body;
  return result;
}

/**
 * The test script's report: its runner's own (nodeTestReport), or for a pnpm workspace's `pnpm -r
 * test` the verbose console of every package's vitest (recursiveReporter).
 */
function testReport(
  body: string,
  manager: 'npm' | 'pnpm' | 'yarn',
  context: DetectContext,
): TestReportRequest | undefined {
  if (manager !== 'pnpm' || pnpmRecursiveRun(body) === null) return nodeTestReport(body, manager);
  const scriptsOf = (manifest: string) => readScripts({ read: () => context.read(manifest) });
  const manifests = workspaceManifests(context.files);
  const packages = manifests === null ? null : inWorkspace(manifests, context.read(PNPM_WORKSPACE));
  const args = recursiveReporter(body, packages, scriptsOf);
  return args === undefined ? undefined : { format: 'console', args };
}

export const nodeDetector: GateDetector = {
  name: 'node',
  reads: ['package.json', PNPM_WORKSPACE],
  readsIn: (files) => workspaceManifests(files) ?? [],
  detect(context) {
    const scripts = readScripts(context);
    if (scripts === null) return [];
    const manager = packageManager(context);
    const gates: DetectedGate[] = [];
    const add = (name: string, candidates: readonly string[]) => {
      const script = candidates.find((candidate) => {
        const body = scripts[candidate];
        return body !== undefined && body.trim() !== '' && !(name === 'test' && PLACEHOLDER_TEST.test(body));
      });
      if (script === undefined) return;
      const report = name === 'test' ? testReport(scripts[script] ?? '', manager, context) : undefined;
      gates.push({
        name,
        kind: name,
        argv: [manager, 'run', script],
        source: `package.json scripts.${script}`,
        ...(report === undefined ? {} : { report }),
      });
    };
    add('format', FORMAT_SCRIPTS);
    add('lint', LINT_SCRIPTS);
    add('typecheck', TYPECHECK_SCRIPTS);
    add('test', TEST_SCRIPTS);
    return gates;
  },
};
