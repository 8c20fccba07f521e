/**
 * Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, links) and charset switches
 * (`ESC ( B`). A tool told `NO_COLOR=1` may still colour its output when the project's own config
 * says so (pytest's `addopts = --color=yes`, cargo's `term.color = "always"`), or when TERM is set
 * (rustfmt colours its diff into a pipe).
 */
export const ANSI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what we remove.
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][0-9A-Za-z]/g;

/** The text without terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
