/** How a run's progress is shown beside its output: redrawn in place, one line per event, or not at all. */
export type RunProgressMode = 'live' | 'lines' | null;

export interface RunProgressView {
  /** How much the user asked to hear. */
  verbosity: 'quiet' | 'normal' | 'verbose';
  /** Whether the output is JSON for a script (progress would mix into what it reads back). */
  json: boolean;
  /** Whether the progress stream is a terminal that can be redrawn. */
  terminal: boolean;
}

/**
 * When a run's progress is shown: never when quiet or when the output is JSON; live on a terminal;
 * elsewhere (a log, a pipe) one line per event only when asked to be verbose, so a plain run's log
 * holds its result and notes alone.
 */
export function runProgressMode(view: RunProgressView): RunProgressMode {
  if (view.verbosity === 'quiet' || view.json) return null;
  if (view.terminal) return 'live';
  return view.verbosity === 'verbose' ? 'lines' : null;
}
