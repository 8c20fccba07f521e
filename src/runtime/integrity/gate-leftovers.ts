// Processes the repository's own test command leaves on purpose (a Gradle daemon, `sccache`'s
// server, a `turbo` daemon, a test runner's detached server): when the gates on the goal's base,
// before any agent ran, left the same command, a slice's gates leaving it again is the
// repository's habit, not the agent's doing (docs/security.md, "Build-tool daemons").

/**
 * A leftover's command as compared between the base and a slice: the checkout it ran in named
 * `<checkout>` (the base and each slice run in a worktree of their own), spaces collapsed, and
 * its first KEY_CHARS characters only: a command line is kept to 1,000 characters, so a long one
 * (a JVM daemon's classpath) is cut at a different place when the checkout's path in it is longer.
 */
export function leftoverKey(command: string, checkout: string): string {
  const named = checkout === '' ? command : command.split(checkout).join('<checkout>');
  return named.replace(/…$/, '').replace(/\s+/g, ' ').trim().slice(0, KEY_CHARS);
}

const KEY_CHARS = 600;

/** The commands the base's gates left, as keys (empty: nothing is pre-existing). */
export function baseLeftoverKeys(strays: readonly { command: string }[], checkout: string): string[] {
  const keys = strays
    .map((stray) => leftoverKey(stray.command, checkout))
    // An unreadable command line names nothing: it never excuses another.
    .filter((key) => key !== '');
  return [...new Set(keys)].sort();
}
