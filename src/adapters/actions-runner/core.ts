import {
  debug,
  error,
  getInput,
  getState,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning,
} from '@actions/core';

/** Where an annotation points: a repository file and line (workspace-relative). */
export interface AnnotationTarget {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
}

/**
 * The part of @actions/core the Action uses, as a port: the runner takes it as a dependency so
 * in-process tests can record what a run would print, and nothing reads process state at import.
 */
export interface ActionCore {
  getInput(name: string): string;
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, target?: AnnotationTarget): void;
  warning(message: string, target?: AnnotationTarget): void;
  error(message: string, target?: AnnotationTarget): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Appends Markdown to the job summary (GITHUB_STEP_SUMMARY). */
  writeSummary(markdown: string): Promise<void>;
  /** Hands a value from the main step to its post step (GITHUB_STATE); getState reads it there. */
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

/**
 * Text omk did not write itself (agent and gate output, goal text, proof text quoting them) must
 * not drive the runner: a line such as `::error::` or `::add-mask::` in it would be obeyed. Such
 * text goes out between `::stop-commands::<token>` and `::<token>::`, a fresh random token each
 * time, so nothing inside can end the pause. (The global Web Crypto, loaded on first use: importing
 * node:crypto would cost the Action's first line a few milliseconds.)
 */
export function guardCommands(text: string, token: () => string = () => crypto.randomUUID()): string {
  if (!text.includes('::')) return text;
  const pause = token().replace(/-/g, '');
  return `::stop-commands::${pause}\n${text}\n::${pause}::`;
}

/** Inputs whose value is judged exactly by the runtime's ref and path rules (spaces aside). */
const UNTRIMMED_INPUTS: ReadonlySet<string> = new Set(['base-branch', 'state-branch', 'config-path']);

/**
 * The real thing. Named imports only: the bundle drops @actions/core's OIDC client (and the HTTP
 * stack under it), which this Action never uses, so it starts fast.
 */
export function actionsCore(): ActionCore {
  return {
    // A ref or path input is read as given: a trailing newline is part of a bad name, not
    // whitespace to drop: main plus a newline is refused, as the CLI and the bot refuse it.
    getInput: (name) => getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.has(name) }),
    setSecret,
    setOutput,
    setFailed,
    debug,
    // Every plain log line may quote agent or gate output.
    info: (message) => info(guardCommands(message)),
    notice,
    warning,
    error,
    group,
    async writeSummary(markdown) {
      await summary.addRaw(markdown, true).write();
    },
    saveState,
    getState,
  };
}
