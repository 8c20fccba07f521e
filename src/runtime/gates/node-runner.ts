/** How a script runs a package's own bin: `npx vitest`, `pnpm exec vitest`, `pnpm vitest`, `yarn jest`. */
const LAUNCH = /^(?:npx|pnpm exec|pnpm|yarn)\s+/;

/**
 * The test runner of a package.json script's last command, when it is vitest or jest run once (so
 * arguments after the script reach it): not a watch run, not vitest's dev or bench, no shell
 * redirection or substitution. Undefined for anything else.
 */
export function lastTestRunner(body: string): { runner: 'vitest' | 'jest'; command: string } | undefined {
  const command =
    body
      .split(/&&|\|\||;/)
      .at(-1)
      ?.trim() ?? '';
  const bare = command.replace(LAUNCH, '');
  const runner = /^(vitest|jest)(?:\s|$)/.exec(bare)?.[1];
  if (runner !== 'vitest' && runner !== 'jest') return undefined;
  if (/--watch\b|[|<>`$]/.test(command)) return undefined;
  if (runner === 'vitest' && /^\S*vitest\s+(?:watch|dev|bench)\b/.test(bare)) return undefined;
  return { runner, command };
}
