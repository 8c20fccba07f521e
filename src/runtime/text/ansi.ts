/**
 * Terminal escape sequences: CSI (colours, cursor moves) and OSC (titles, links). A tool told
 * `NO_COLOR=1` may still colour its output when the project's own config says so (pytest's
 * `addopts = --color=yes`, cargo's `term.color = "always"`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what we remove.
export const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** The text without terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
