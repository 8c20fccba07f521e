import { setTimeout as sleep } from 'node:timers/promises';
import { LiveBlock } from '../adapters/terminal/live-block.js';
import { GoalWatch, type WatchView } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import { agentLineChanges, renderEventLine, renderGateTail, renderWatchView } from './render/watch.js';

/** live: a block redrawn in place (a terminal); lines: one line per event; json: one event per line. */
export type FollowMode = 'live' | 'lines' | 'json';

export interface FollowOptions {
  mode: FollowMode;
  intervalMs: number;
  /** Also the agents' output lines (lines mode) and their last line (live mode). */
  verbose: boolean;
  write: (text: string) => void;
  columns: number;
  /** Ends the follow after one last tick (the run it showed has returned). */
  signal?: AbortSignal;
  /** End when the goal settles (watch); a run's own progress ends only with its signal. */
  untilSettled: boolean;
  /** Receives the block's log function in live mode, so other output lands above it. */
  onLive?: (log: (text: string) => void) => void;
}

/**
 * Follows a goal until it settles (or the signal ends it) and returns its last view. Each tick
 * reads only what the journal gained; the live block is drawn again on every tick so elapsed times
 * move even when nothing happens.
 */
export async function followGoal(
  store: GoalStore,
  goalId: string,
  options: FollowOptions,
): Promise<WatchView> {
  const watch = await GoalWatch.open(store, goalId, {
    transcripts: options.mode === 'live' || options.verbose,
  });
  const block = options.mode === 'live' ? new LiveBlock(options.write, options.columns) : null;
  if (block !== null) options.onLive?.((text) => block.log(text));
  const seen = new Map<string, string>();
  for (;;) {
    const began = performance.now();
    const stopping = options.signal?.aborted === true;
    const { events, view } = await watch.tick();
    if (block !== null) {
      block.draw(renderWatchView(view));
    } else if (options.mode === 'json') {
      for (const event of events) options.write(`${JSON.stringify(event)}\n`);
    } else {
      for (const event of events) {
        options.write(`${renderEventLine(event)}\n`);
        if (options.verbose)
          for (const tail of await watch.gateTails(event)) options.write(renderGateTail(event, tail));
      }
      if (options.verbose) for (const line of agentLineChanges(view, seen)) options.write(`${line}\n`);
    }
    if ((options.untilSettled && view.settled !== null) || stopping) return view;
    // A steady rate: the time the tick took comes off the wait.
    const wait = Math.max(0, options.intervalMs - (performance.now() - began));
    await sleep(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}
