/**
 * A goal that holds GitHub Actions workflow-command syntax (`::set-output`, `::add-mask::`,
 * `::stop-commands::`) is refused by a host that sends goals to a runner: such a string at the
 * start of a log line there would be obeyed. (The shared normalization, `normalizeGoalText`,
 * already removes control, invisible and bidi characters.)
 */

// `::name` at the start or after whitespace, then optional parameters, then `::` — the runner's
// grammar. `std::vector::size` does not match: its `::` follows a word character.
const WORKFLOW_COMMAND = /(?:^|\s)(::[A-Za-z][A-Za-z-]*)(?:\s[^:\n]{0,200})?::/;

/** The workflow command found in `text` (e.g. `::set-output`), or null. */
export function workflowCommandIn(text: string): string | null {
  return WORKFLOW_COMMAND.exec(text)?.[1] ?? null;
}
