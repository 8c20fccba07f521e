import type { DetectContext, DetectedGate, GateDetector } from './detector.js';

const TEST_SCRIPTS = ['test'];
const LINT_SCRIPTS = ['lint'];
const TYPECHECK_SCRIPTS = ['typecheck', 'type-check', 'tsc'];
const FORMAT_SCRIPTS = ['format:check', 'fmt:check', 'prettier:check'];

/** What `npm init` writes; running it would only ever fail. */
const PLACEHOLDER_TEST = /no test specified/;

/** The lockfile says which package manager installed node_modules; the others may not even exist. */
function packageManager(context: DetectContext): 'npm' | 'pnpm' | 'yarn' {
  if (context.has('pnpm-lock.yaml')) return 'pnpm';
  if (context.has('yarn.lock')) return 'yarn';
  return 'npm';
}

function readScripts(context: DetectContext): Record<string, string> | null {
  const text = context.read('package.json');
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const scripts = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'scripts') : undefined;
  if (typeof scripts !== 'object' || scripts === null) return {};
  const result: Record<string, string> = {};
  for (const [name, body] of Object.entries(scripts)) if (typeof body === 'string') result[name] = body;
  return result;
}

export const nodeDetector: GateDetector = {
  name: 'node',
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
      gates.push({
        name,
        kind: name,
        argv: [manager, 'run', script],
        source: `package.json scripts.${script}`,
      });
    };
    add('format', FORMAT_SCRIPTS);
    add('lint', LINT_SCRIPTS);
    add('typecheck', TYPECHECK_SCRIPTS);
    add('test', TEST_SCRIPTS);
    return gates;
  },
};
