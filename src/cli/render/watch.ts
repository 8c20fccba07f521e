import { formatDuration, type GateTail, type WatchTick, type WatchView } from '../../runtime/app/index.js';
import { outcomeWords, stopWords } from '../../runtime/app/render.js';
import { CLI_STEPS } from '../wording.js';

type WatchEvent = WatchTick['events'][number];

const STATE_MARKS: Record<WatchView['progress']['slices'][number]['state'], string> = {
  pending: '·',
  running: '*',
  done: '✓',
  failed: 'X',
  skipped: '-',
  waiting: '~',
};

/** One line for one event, for a log that is not a terminal: `12:04:05 s1-fix: agent started (attempt 1)`. */
export function renderEventLine(event: WatchEvent): string {
  const time = event.ts.length >= 19 ? event.ts.slice(11, 19) : event.ts;
  const { data } = event;
  const slice = typeof data.taskId === 'string' ? `${data.taskId}: ` : '';
  const attempt = typeof data.attempt === 'number' ? ` (attempt ${data.attempt})` : '';
  return `${time} ${slice}${describe(event.type, data, attempt)}`;
}

function describe(type: string, data: Record<string, unknown>, attempt: string): string {
  switch (type) {
    case 'execution_started':
      return typeof data.slice === 'string' ? `execution started for ${data.slice}` : 'execution started';
    case 'task_leased':
      return `started${attempt}`;
    case 'agent_started':
      return `agent started${attempt}`;
    case 'agent_finished':
      return `agent ${String(data.outcome)}${attempt}${typeof data.durationMs === 'number' ? ` in ${formatDuration(data.durationMs)}` : ''}`;
    case 'gates_verified':
      return `gates ${gateWords(strings(data.outcomes), strings(data.byExitCode))}`.trimEnd();
    case 'task_done':
      return `done${attempt}`;
    case 'task_retry':
      return `attempt ${String(data.attempt)} failed; retrying`;
    case 'task_failed':
      return `failed after ${String(data.attempts)} attempt(s)`;
    case 'task_skipped':
      return `skipped (depends on ${String(data.because)})`;
    case 'integration_done':
      return 'integrated';
    case 'integration_conflict':
      return 'integration conflict';
    case 'execution_finished':
      return 'execution finished';
    case 'budget_exhausted':
      return 'budget exhausted';
    case 'execution_interrupted':
      return `execution interrupted (${String(data.by)})`;
    case 'proof_built':
      return `proof ${String(data.status)}`;
    case 'pr_opened':
      return `PR opened${typeof data.number === 'number' ? ` #${data.number}` : ''}`;
    case 'goal_merged':
      return 'merged';
    default:
      return type.replaceAll('_', ' ');
  }
}

/**
 * The live view's lines: the goal, then one line per slice, then the integration, the last event
 * and, once the goal has settled short of done, what failed and what to do.
 */
export function renderWatchView(view: WatchView): string[] {
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
    if (slice.state === 'running' && slice.lastLine !== null) line += `  › ${slice.lastLine}`;
    lines.push(line);
  }
  if (progress.integration !== null) lines.push(`  integration ${progress.integration}`);
  if (progress.lastEvent !== null)
    lines.push(`  last event #${progress.lastEvent.seq} ${progress.lastEvent.type}`);
  lines.push(...stopLines(view));
  return lines;
}

/** What stopped a settled run and what to do, in words (no tool output); nothing while it runs. */
export function stopLines(view: WatchView): string[] {
  const { stopped } = view.progress;
  if (view.settled === null || stopped === null) return [];
  const words = stopWords(stopped, view.goalId, CLI_STEPS);
  if (!words.failed) return [`  ${words.what}`];
  return [`  stopped: ${words.what}`, `  what to do: ${words.todo}`];
}

function budgetText(view: WatchView): string {
  const { spent, limits } = view;
  const of = (limit: number | null, text: (n: number) => string) =>
    limit === null ? '' : ` of ${text(limit)}`;
  return `spent ${formatDuration(spent.timeMs)}${of(limits.timeMs, formatDuration)}, ${spent.tokens} tokens${of(limits.tokens, String)}, $${spent.usd.toFixed(2)}${of(limits.usd, (n) => `$${n.toFixed(2)}`)}`;
}

/** A gate that did not pass when it finished (--verbose): its name and outcome, then its log's last lines. */
export function renderGateTail(event: WatchEvent, tail: GateTail): string {
  const slice = typeof event.data.taskId === 'string' ? `${event.data.taskId} › ` : '';
  const lines = tail.lines.length === 0 ? ['(the log is empty)'] : tail.lines;
  return `${slice}gate ${tail.gate} ${outcomeWords(tail.outcome, tail.byExitCode)}:\n${lines.map((line) => `    ${line}\n`).join('')}`;
}

/**
 * `name:outcome` entries in words, `; ` between them: `test:passed; lint:pre-existing`. A gate
 * failing on the base too is called pre-existing only when its failures were compared one by one;
 * judged by exit code, it reads as the proof says (`lint:failing on base too, judged by exit code`).
 */
export function gateWords(entries: readonly string[], byExitCode: readonly string[]): string {
  return entries
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      if (at <= 0) return entry;
      const gate = entry.slice(0, at);
      return `${gate}:${outcomeWords(entry.slice(at + 1), byExitCode.includes(gate))}`;
    })
    .join('; ');
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
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

/**
 * A block of lines redrawn in place at the bottom of a terminal (`gh run watch` style): the cursor
 * goes back up over the last drawing and each line is cleared before it is written. Lines are cut
 * to the terminal's width so none wraps (a wrapped line would throw the count off). Text logged
 * meanwhile is written above the block, which is then drawn again.
 */
export class LiveBlock {
  private drawn = 0;
  private last: string[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
  ) {}

  draw(lines: readonly string[]): void {
    this.last = [...lines];
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    const body = lines.map((line) => `\r\x1b[2K${fitWidth(line, this.columns)}\n`).join('');
    this.write(`${up}${body}\x1b[J`);
    this.drawn = lines.length;
  }

  /** Writes text above the block and draws the block again under it. */
  log(text: string): void {
    if (this.drawn === 0) {
      this.write(text);
      return;
    }
    this.write(`\x1b[${this.drawn}A\r\x1b[J${text}${text.endsWith('\n') ? '' : '\n'}`);
    this.drawn = 0;
    this.draw(this.last);
  }
}

function fitWidth(line: string, columns: number): string {
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, Math.max(0, columns - 2)).join('')}…`;
}
