import { gateTool } from './availability.js';

/** Package managers whose `run <script>` (and `test`) runs a package.json script. */
const MANAGERS: readonly string[] = ['npm', 'pnpm', 'yarn'];
/** How deep `npm run a` → `npm run b` → … is followed before giving up. */
const MAX_HOPS = 4;

export interface ScriptTool {
  /** The script the gate's argv runs (the last one followed, when scripts call scripts). */
  script: string;
  /** The first command of its body: what must be installed for the script to start. */
  tool: string;
  /**
   * The first word of each command the body chains with `&&` (`xo && ava && tsd`), after those of
   * the pre script npm runs first (`pretest: npm run lint` → `eslint`); empty: no chain.
   */
  chain: string[];
  /** The pre script npm runs before the gate's script (`pretest`), when it has one. */
  pre?: string;
}

/** The script `npm|pnpm|yarn run <script>` or `… test` runs; null for any other argv. */
export function scriptOf(argv: readonly string[]): string | null {
  if (!MANAGERS.includes(gateTool(argv).executable)) return null;
  const [, verb, name] = argv;
  if (verb === 'test' || verb === 't') return 'test';
  if ((verb === 'run' || verb === 'run-script') && name !== undefined && !name.startsWith('-')) return name;
  return null;
}

/**
 * The tool a package-manager gate really needs: `npm run format` needs npm, but what fails when
 * the dependencies lack it is the script's own first command (`prettier --check .` → prettier).
 * Environment assignments before it are skipped and `npm run other` is followed; null when the
 * argv runs no script, the script is not defined, or its first command is not a plain word (a
 * variable, a quoted or computed name: the shell decides what runs).
 */
export function scriptTool(
  argv: readonly string[],
  scripts: Readonly<Record<string, string>>,
): ScriptTool | null {
  const found = followScript(argv, scripts);
  if (found === null) return null;
  const own = chainOf(found.body);
  const pre = preScript(argv, scripts);
  if (pre === null) return { script: found.script, tool: found.tool, chain: own };
  const chain = [...pre.tools, ...(own.length > 0 ? own : [found.tool])];
  return { script: found.script, tool: found.tool, chain, pre: pre.script };
}

/**
 * The script npm runs before the gate's (`npm run test` and `npm test` run `pretest` first, and
 * stop when it fails) and the tools it runs; null when there is none, the manager is not npm
 * (pnpm runs none by default), or the shell decides what it runs.
 */
function preScript(
  argv: readonly string[],
  scripts: Readonly<Record<string, string>>,
): { script: string; tools: string[] } | null {
  const name = scriptOf(argv);
  if (name === null || gateTool(argv).executable !== 'npm') return null;
  const script = `pre${name}`;
  if ((scripts[script] ?? '').trim() === '') return null;
  const found = followScript(['npm', 'run', script], scripts);
  if (found === null) return null;
  const chain = chainOf(found.body);
  return { script, tools: chain.length > 0 ? chain : [found.tool] };
}

/** The script the argv runs, through `npm run other`, with its body and first command's tool. */
function followScript(
  argv: readonly string[],
  scripts: Readonly<Record<string, string>>,
): { script: string; tool: string; body: string } | null {
  let current = argv;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const script = scriptOf(current);
    const body = script === null ? undefined : scripts[script];
    if (script === null || body === undefined) return null;
    const words = firstCommand(body);
    if (words === null || words.length === 0) return null;
    if (scriptOf(words) === null) {
      const tool = words[0] ?? '';
      return /^[\w@./+-]+$/.test(tool) ? { script, tool, body } : null;
    }
    current = words;
  }
  return null;
}

/** The first word of each `&&`-joined command, past assignments; a body with `||`, `;` or pipes has no chain. */
function chainOf(body: string): string[] {
  const parts = body.split('&&');
  if (parts.length < 2 || parts.some((part) => /\|\||[;|&\n]/.test(part))) return [];
  return parts.map((part) => firstCommand(part)?.[0] ?? '');
}

/** The words of a body's first simple command, past `VAR=value` assignments; null if it has none. */
function firstCommand(body: string): string[] | null {
  const first = body.split(/&&|\|\||[;|&\n]/)[0] ?? '';
  const words = first.trim().split(/\s+/).filter(Boolean);
  const start = words.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  return start === -1 ? null : words.slice(start);
}
