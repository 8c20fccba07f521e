import { outcomeWords } from '../proof/render-text.js';
import { formatDuration } from '../text/duration.js';

/** An event as a log reads it: its type and data. */
export interface WordedEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * What one event says, in words and without any host's syntax: `agent started (attempt 1)`,
 * `gates test:passed`, `PR opened #3`. Unknown types read as their name.
 */
export function eventWords({ type, data }: WordedEvent): string {
  const attempt = typeof data.attempt === 'number' ? ` (attempt ${data.attempt})` : '';
  switch (type) {
    case 'execution_started':
      return typeof data.slice === 'string' ? `execution started for ${data.slice}` : 'execution started';
    case 'task_leased':
      return `started${attempt}`;
    case 'agent_started':
      return `agent started${attempt}`;
    case 'agent_finished':
      return `agent ${String(data.outcome)}${attempt}${typeof data.durationMs === 'number' ? ` in ${formatDuration(data.durationMs)}` : ''}`;
    case 'agent_rate_limited':
      return `agent rate-limited${attempt}; waiting ${typeof data.waitMs === 'number' ? formatDuration(data.waitMs) : 'a while'} before running it again`;
    case 'fix_requested':
      return `fix ${String(data.fix)} asked on PR #${String(data.pr)}${requestList(data.requestIds)}`;
    case 'fix_applied':
      return `fix ${String(data.fix)} applied on PR #${String(data.pr)}`;
    case 'fix_failed':
      return data.interrupted === true
        ? `fix ${String(data.fix)} on PR #${String(data.pr)} interrupted; it runs again on resume`
        : `fix ${String(data.fix)} failed on PR #${String(data.pr)}${typeof data.why === 'string' ? `: ${data.why}` : ''}`;
    case 'gates_verified':
      return `gates ${gateWords(strings(data.outcomes), strings(data.byExitCode))}`.trimEnd();
    case 'workspace_fallback':
      return `runs in a branch checkout, not a worktree: ${String(data.reason)}`;
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

function requestList(value: unknown): string {
  const ids = strings(value);
  return ids.length === 0 ? '' : ` (${ids.join(', ')})`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
