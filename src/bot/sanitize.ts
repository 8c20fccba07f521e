/**
 * What the bot does to comment text beyond the shared normalization (normalizeGoalText, applied by
 * the request schemas: control, invisible and bidi characters removed, whitespace collapsed).
 *
 * - Hidden markup never reaches a goal: the command is looked for only in what a reader sees
 *   (find-command.ts drops HTML comments, collapsed <details>, code blocks and quotes).
 * - A goal that holds GitHub Actions workflow-command syntax (`::set-output`, `::add-mask::`,
 *   `::stop-commands::`) is refused: in actions mode the goal travels to a runner, where such a
 *   string at the start of a log line would be obeyed.
 * - Nothing here is ever given to a shell; every process gets argv arrays.
 */

// `::name` at the start or after whitespace, then optional parameters, then `::` — the runner's
// grammar. `std::vector::size` does not match: its `::` follows a word character.
const WORKFLOW_COMMAND = /(?:^|\s)(::[A-Za-z][A-Za-z-]*)(?:\s[^:\n]{0,200})?::/;

/** The workflow command found in `text` (e.g. `::set-output`), or null. */
export function workflowCommandIn(text: string): string | null {
  return WORKFLOW_COMMAND.exec(text)?.[1] ?? null;
}
