import type { AgentUsage } from './port.js';

// Agent CLIs change their output between versions; a shape we do not recognise yields nulls
// (usage unknown), never a thrown error or a made-up zero.

export const USAGE_PARSERS = ['none', 'json', 'claude', 'codex', 'gemini', 'opencode', 'aider'] as const;
export type UsageParserName = (typeof USAGE_PARSERS)[number];

const UNKNOWN: AgentUsage = { tokens: null, usd: null };
type Json = Record<string, unknown>;

/** Usage reported in an agent's standard output, as far as the named parser understands it. */
export function parseUsage(parser: UsageParserName, stdout: string): AgentUsage {
  switch (parser) {
    case 'none':
      return UNKNOWN;
    case 'claude':
      return claudeUsage(lastObject(stdout));
    case 'gemini':
      return geminiUsage(lastObject(stdout));
    case 'codex':
      return codexUsage(jsonLines(stdout));
    case 'opencode':
      return opencodeUsage(jsonLines(stdout));
    case 'aider':
      return aiderUsage(stdout);
    case 'json':
      return anyJsonUsage(stdout);
  }
}

/** For `usage: json` (custom commands, scripts): the first known shape that yields something. */
function anyJsonUsage(stdout: string): AgentUsage {
  const last = lastObject(stdout);
  const lines = jsonLines(stdout);
  const candidates = [
    claudeUsage(last),
    geminiUsage(last),
    plainUsage(last),
    codexUsage(lines),
    opencodeUsage(lines),
  ];
  return candidates.find((u) => u.tokens !== null || u.usd !== null) ?? UNKNOWN;
}

// claude -p --output-format json: {"total_cost_usd": 0.01, "usage": {"input_tokens": ..., ...}}
function claudeUsage(root: Json | null): AgentUsage {
  if (root === null) return UNKNOWN;
  const usage = obj(root.usage);
  const tokens =
    usage === null
      ? null
      : sum([
          num(usage.input_tokens),
          num(usage.output_tokens),
          num(usage.cache_creation_input_tokens),
          num(usage.cache_read_input_tokens),
        ]);
  return { tokens, usd: num(root.total_cost_usd) ?? num(root.cost_usd) };
}

// gemini --output-format json: {"stats": {"models": {"<model>": {"tokens": {"total": ...}}}}}
function geminiUsage(root: Json | null): AgentUsage {
  const stats = obj(root?.stats);
  if (stats === null) return UNKNOWN;
  const models = obj(stats.models);
  if (models !== null) {
    const totals = Object.values(models).map((model) => {
      const tokens = obj(obj(model)?.tokens);
      return tokens === null
        ? null
        : (num(tokens.total) ?? sum([num(tokens.prompt), num(tokens.candidates)]));
    });
    return { tokens: sum(totals), usd: null };
  }
  return {
    tokens: num(stats.totalTokens) ?? sum([num(stats.inputTokens), num(stats.outputTokens)]),
    usd: null,
  };
}

// A custom command's own summary: {"tokens": 123, "usd": 0.01} or {"total_tokens": ..., "cost": ...}.
function plainUsage(root: Json | null): AgentUsage {
  if (root === null) return UNKNOWN;
  return {
    tokens: num(root.tokens) ?? num(root.total_tokens),
    usd: num(root.usd) ?? num(root.cost_usd) ?? num(root.cost),
  };
}

// codex exec --json: {"type":"turn.completed","usage":{"input_tokens":..,"output_tokens":..}} per
// turn (input includes cached input). Older versions sent running totals in token_count events.
function codexUsage(events: Json[]): AgentUsage {
  const turns = events
    .filter((e) => e.type === 'turn.completed')
    .map((e) => obj(e.usage))
    .map((u) => (u === null ? null : sum([num(u.input_tokens), num(u.output_tokens)])));
  const turnTotal = sum(turns);
  if (turnTotal !== null) return { tokens: turnTotal, usd: null };
  let running: number | null = null;
  for (const event of events) {
    const msg = obj(event.msg) ?? event;
    if (msg.type !== 'token_count') continue;
    const total = obj(obj(msg.info)?.total_token_usage);
    if (total !== null) running = num(total.total_tokens) ?? running;
  }
  return { tokens: running, usd: null };
}

// opencode run --format json: {"type":"step_finish","part":{"cost":..,"tokens":{"input":..,"output":..}}}
function opencodeUsage(events: Json[]): AgentUsage {
  const steps = events.filter((e) => e.type === 'step_finish').map((e) => obj(e.part));
  const tokens = steps.map((part) => {
    const t = obj(part?.tokens);
    return t === null ? null : (num(t.total) ?? sum([num(t.input), num(t.output), num(t.reasoning)]));
  });
  return { tokens: sum(tokens), usd: sum(steps.map((part) => num(part?.cost))) };
}

// aider prints "Tokens: 2.3k sent, 150 received. Cost: $0.01 message, $0.02 session." per message.
function aiderUsage(stdout: string): AgentUsage {
  let tokens: number | null = null;
  for (const match of stdout.matchAll(/Tokens: ([\d.]+)([kM]?) sent, ([\d.]+)([kM]?) received/g)) {
    tokens = (tokens ?? 0) + scaled(match[1], match[2]) + scaled(match[3], match[4]);
  }
  const sessions = [...stdout.matchAll(/\$([\d.]+) session/g)];
  const lastSession = sessions.at(-1)?.[1];
  const usd = lastSession === undefined ? null : Number.parseFloat(lastSession);
  return { tokens: tokens === null ? null : Math.round(tokens), usd: Number.isFinite(usd) ? usd : null };
}

function scaled(value: string | undefined, unit: string | undefined): number {
  const n = Number.parseFloat(value ?? '');
  if (!Number.isFinite(n)) return 0;
  return n * (unit === 'k' ? 1_000 : unit === 'M' ? 1_000_000 : 1);
}

/** The whole output as one JSON object, else the last line that is one. */
function lastObject(stdout: string): Json | null {
  const whole = parseObject(stdout.trim());
  if (whole !== null) return whole;
  return jsonLines(stdout).at(-1) ?? null;
}

function jsonLines(stdout: string): Json[] {
  const out: Json[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    const value = parseObject(trimmed);
    if (value !== null) out.push(value);
  }
  return out;
}

function parseObject(text: string): Json | null {
  if (!text.startsWith('{')) return null;
  try {
    return obj(JSON.parse(text));
  } catch {
    return null;
  }
}

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** A usable count or amount: finite and not negative. */
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Sum of the known parts; null when no part is known. */
function sum(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
