// A followed goal as terminal text (`omk goal watch`, a run's progress): one line per event for a
// log, the live view's lines for a block redrawn in place, a failed gate's last lines.

import { fixWords, rateLimitWords } from '../events/fix-words.js';
import { stopWords } from '../markdown/goal-sections.js';
import type { StepSpelling } from '../next-steps.js';
import { outcomeWords } from '../proof/render-text.js';
import { tokenCount, tokensAmount, usdAmount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
import { eventWords, gateWords } from './event-words.js';
import type { GateTail, WatchTick, WatchView } from './watch.js';

type WatchEvent = WatchTick['events'][number];

const STATE_MARKS: Record<WatchView['progress']['slices'][number]['state'], string> = {
  pending: '·',
  running: '*',
  done: '✓',
  failed: 'X',
  skipped: '-',
  waiting: '~',
};

const FIX_MARKS: Record<WatchView['progress']['fixes'][number]['state'], string> = {
  pending: '·',
  running: '*',
  committed: '+',
  applied: '✓',
  failed: 'X',
};

/** One line for one event, for a log that is not a terminal: `12:04:05 s1-fix: agent started (attempt 1)`. */
export function renderEventLine(event: WatchEvent): string {
  const time = event.ts.length >= 19 ? event.ts.slice(11, 19) : event.ts;
  const slice = typeof event.data.taskId === 'string' ? `${event.data.taskId}: ` : '';
  return `${time} ${slice}${eventWords(event)}`;
}

/**
 * The live view's lines: the goal, then one line per slice, then the integration, the last event
 * and, once the goal has settled short of done, what failed and what to do.
 */
export function renderWatchView(view: WatchView, steps: StepSpelling): string[] {
  const { progress } = view;
  const elapsed = progress.startedMs === null ? '' : `  ${formatDuration(view.nowMs - progress.startedMs)}`;
  const lines = [`goal ${view.goalId} [${view.status}]${elapsed}  ${budgetText(view)}`];
  const width = Math.max(0, ...progress.slices.map((slice) => slice.id.length));
  for (const slice of progress.slices) {
    let line = `${STATE_MARKS[slice.state]} ${slice.id.padEnd(width)}  ${slice.state.padEnd(7)}`;
    if (slice.attempt > 0) line += `  attempt ${slice.attempt}`;
    if (slice.startedMs !== null && slice.state !== 'pending')
      line += `  ${formatDuration((slice.endedMs ?? view.nowMs) - slice.startedMs)}`;
    if (slice.gates.length > 0) line += `  gates ${gateWords(slice.gates, slice.gatesByExitCode)}`;
    const wait = rateLimitWords(slice.rateLimitedUntilMs, view.nowMs);
    if (wait !== null) line += `  ${wait}`;
    else if (slice.state === 'running' && slice.lastLine !== null) line += `  › ${slice.lastLine}`;
    lines.push(line);
  }
  for (const fix of progress.fixes) lines.push(`${FIX_MARKS[fix.state]} ${fixWords(fix, view.nowMs)}`);
  if (progress.integration !== null) lines.push(`  integration ${progress.integration}`);
  if (progress.lastEvent !== null)
    lines.push(`  last event #${progress.lastEvent.seq} ${progress.lastEvent.type}`);
  lines.push(...stopLines(view, steps));
  return lines;
}

/** What stopped a settled run and what to do, in words (no tool output); nothing while it runs. */
export function stopLines(view: WatchView, steps: StepSpelling): string[] {
  const { stopped } = view.progress;
  if (view.settled === null || stopped === null) return [];
  const words = stopWords(stopped, view.goalId, steps);
  if (!words.failed) return [`  ${words.what}`];
  return [`  stopped: ${words.what}`, `  what to do: ${words.todo}`];
}

function budgetText(view: WatchView): string {
  const { spent, limits } = view;
  const of = (limit: number | null, text: (n: number) => string) =>
    limit === null ? '' : ` of ${text(limit)}`;
  return `spent ${formatDuration(spent.timeMs)}${of(limits.timeMs, formatDuration)}, ${tokensAmount(spent.tokens)}${of(limits.tokens, tokenCount)}, ${usdAmount(spent.usd)}${of(limits.usd, usdAmount)}`;
}

/** A gate that did not pass when it finished (--verbose): its name and outcome, then its log's last lines. */
export function renderGateTail(event: WatchEvent, tail: GateTail): string {
  const slice = typeof event.data.taskId === 'string' ? `${event.data.taskId} › ` : '';
  const lines = tail.lines.length === 0 ? ['(the log is empty)'] : tail.lines;
  return `${slice}gate ${tail.gate} ${outcomeWords(tail.outcome, tail.byExitCode)}:\n${lines.map((line) => `    ${line}\n`).join('')}`;
}

/** The last output line of each running agent, for --verbose logs: only the lines that changed. */
export function agentLineChanges(view: WatchView, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const slice of view.progress.slices) {
    if (slice.state !== 'running' || slice.lastLine === null) continue;
    if (seen.get(slice.id) === slice.lastLine) continue;
    seen.set(slice.id, slice.lastLine);
    lines.push(`${slice.id} › ${slice.lastLine}`);
  }
  return lines;
}
