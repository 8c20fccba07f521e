import { type WatchView, watchGoal } from '../../runtime/app/index.js';
import type { GoalStore } from '../../runtime/app/ports.js';
import {
  agentLineChanges,
  renderEventLine,
  renderGateTail,
  renderWatchView,
  type StepSpelling,
} from '../../runtime/app/render.js';
import { LiveBlock } from './live-block.js';

/** live: a block redrawn in place (a terminal); lines: one line per event; json: one event per line. */
export type FollowMode = 'live' | 'lines' | 'json';

export interface FollowOptions {
  mode: FollowMode;
  intervalMs: number;
  /** Also the agents' output lines (lines mode) and their last line (live mode). */
  verbose: boolean;
  write: (text: string) => void;
  columns: number;
  /** How the host spells a next step the live view names. */
  steps: StepSpelling;
  /** Ends the follow after one last tick (the run it showed has returned). */
  signal?: AbortSignal;
  /** End when the goal settles (watch); a run's own progress ends only with its signal. */
  untilSettled: boolean;
  /** Receives the block's log function in live mode, so other output lands above it. */
  onLive?: (log: (text: string) => void) => void;
}

/**
 * Follows a goal (`watchGoal` in runtime/app/watch.ts) and draws each tick on a terminal: the
 * live block is drawn again on every tick so elapsed times move even when nothing happens.
 */
export async function followGoal(
  store: GoalStore,
  goalId: string,
  options: FollowOptions,
): Promise<WatchView> {
  const block = options.mode === 'live' ? new LiveBlock(options.write, options.columns) : null;
  if (block !== null) options.onLive?.((text) => block.log(text));
  const seen = new Map<string, string>();
  return watchGoal(store, goalId, {
    intervalMs: options.intervalMs,
    transcripts: options.mode === 'live' || options.verbose,
    untilSettled: options.untilSettled,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onTick: async ({ events, view }, watch) => {
      if (block !== null) return block.draw(renderWatchView(view, options.steps));
      if (options.mode === 'json') {
        for (const event of events) options.write(`${JSON.stringify(event)}\n`);
        return;
      }
      for (const event of events) {
        options.write(`${renderEventLine(event)}\n`);
        if (options.verbose)
          for (const tail of await watch.gateTails(event)) options.write(renderGateTail(event, tail));
      }
      if (options.verbose) for (const line of agentLineChanges(view, seen)) options.write(`${line}\n`);
    },
  });
}
