import type { ProcessResult } from '../ports.js';
import { NETWORK_STOP_PREFIX } from './network-stall.js';

/**
 * Why an agent could not run on this machine, as opposed to running and failing: no retry can fix
 * it, so it must not spend an attempt. Each cause has its own fix.
 */
export type EnvironmentCause =
  | 'arguments'
  | 'login'
  | 'credentials'
  | 'quota'
  | 'rate_limit'
  | 'network'
  | 'missing'
  | 'silent';

export interface AgentEnvironmentFailure {
  cause: EnvironmentCause;
  /** The CLI's own words (one line), or what omk saw when the CLI said nothing. */
  words: string;
  /** What the user does about it, before resuming the goal. */
  fix: string;
  /**
   * A rate limit only: how long the agent said to wait (`retry after 30s`, `try again in 2
   * minutes`, `Retry-After: 20`), when it said so. A rate limit passes: the controller waits.
   */
  retryAfterMs?: number;
  /**
   * A rate limit the controller waited out until it stopped: the agent did run, this many times,
   * rate-limited each time. Absent on a CLI's own result.
   */
  waited?: RateLimitStop;
}

/** Why the controller stopped waiting out a rate limit, and how long it had waited. */
export interface RateLimitStop {
  /** Runs of the agent that came back rate-limited (the last one included). */
  runs: number;
  /** Time spent waiting between them. */
  waitedMs: number;
  /** `agents.rateLimitWait`: the most the waits may add up to. */
  maxWaitMs: number;
  /** The goal's budget limit the runs and waits spent (or the next wait would pass), if that stopped it. */
  budget: 'time' | 'tokens' | 'usd' | null;
}

/**
 * What agent CLIs print when they cannot run at all. English substrings of other programs'
 * messages: kept here, each with the real output it was written from (test/fixtures/agents/), and
 * matched only when the agent exited non-zero. Order matters: the first match names the cause.
 */
export const ENVIRONMENT_PATTERNS: readonly { cause: EnvironmentCause; pattern: RegExp }[] = [
  // codex 0.171 (clap): "error: unexpected argument '--full-auto' found"; commander: "error: unknown
  // option '--x'"; yargs: "Unknown argument: x"; argparse: "unrecognized arguments"; click: "No such
  // option"; claude 2.1 as root: "--dangerously-skip-permissions cannot be used with root/sudo privileges".
  {
    cause: 'arguments',
    pattern:
      /unexpected argument '[^']*' found|\bunknown (?:option|argument|flag)s?\b|unrecognized (?:option|arguments?)\b|\bno such option\b|cannot be used with root\/sudo privileges/i,
  },
  // claude 2.1: {"is_error":true,"result":"Not logged in · Please run /login"}.
  { cause: 'login', pattern: /\bnot logged in\b|please run \/login\b|\bplease (?:log ?in|sign in)\b/i },
  // gemini 0.61 (exit 41): "Please set an Auth method in your …/settings.json or specify one of the
  // following environment variables before running: GEMINI_API_KEY, …"; OpenAI and Anthropic APIs:
  // "Incorrect API key provided", "invalid x-api-key", "authentication_error".
  {
    cause: 'credentials',
    pattern:
      /please set an auth method|\b(?:invalid|incorrect|missing)[ _-](?:x-)?api[ _-]?key\b|\bapi[ _-]?key\b[^\n]{0,40}\b(?:not set|missing|is required|invalid|not valid)\b|authentication_error|\b401 unauthori[sz]ed\b|\bstatus(?: code)?:? 40[13]\b|\b403 forbidden\b/i,
  },
  // The CLIs' own words for a spent plan or quota: it resets in hours, or never without the user.
  {
    cause: 'quota',
    pattern: /\bquota exceeded\b|\binsufficient_quota\b|\busage limit reached\b/i,
  },
  // HTTP 429 and the words for a rate limit: it passes, so the controller waits and runs it again
  // (controller/rate-limit.ts) instead of stopping.
  {
    cause: 'rate_limit',
    pattern:
      /\b429 too many requests\b|\bstatus(?: code)?:? 429\b|\brate[ _-]?limit(?:ed| exceeded| reached)\b|\bresource_exhausted\b|\btoo many requests\b/i,
  },
  // The provider cannot be reached (DNS, refused connection): opencode 1.18 "Cannot connect to API:
  // Unable to connect", codex 0.171 "failed to lookup address information: Name does not resolve".
  // Narrower than the running watch's NETWORK_FAILURE: a test run inside the agent may print
  // ECONNREFUSED and the agent still did its work.
  {
    cause: 'network',
    pattern:
      /cannot connect to (?:the )?api\b|unable to connect to (?:the )?api\b|failed to lookup address information|\bapi error: connection error\b|\bENOTFOUND [\w.-]*(?:anthropic|openai|googleapis|opencode)\b/i,
  },
];

export interface AgentRunContext {
  /** The executable, as the user would type it. */
  executable: string;
  /** Credential variables the agent reads, for the fix. */
  envNames: readonly string[];
  /** The silence limit the run was given, for the words when it said nothing. */
  silenceMs: number | null;
  /** The network-stall limit the run was given, for the words when it only retried the network. */
  networkStallMs?: number | null;
  /** No key variable and no login file of the CLI was found (credentials.ts): said in the fix. */
  missingLogin?: string;
}

/**
 * Whether a finished run shows the agent could not run here (not installed, refused its
 * arguments, not logged in, no quota, silent at start). Null: it ran, and whatever it did is the
 * agent's to answer for.
 */
export function environmentFailure(
  result: Pick<
    ProcessResult,
    'exitCode' | 'spawnError' | 'tail' | 'timedOut' | 'cancelled' | 'silent' | 'stopped'
  >,
  context: AgentRunContext,
): AgentEnvironmentFailure | null {
  const { executable } = context;
  if (result.cancelled || result.timedOut) return null;
  if (result.silent === true) {
    const limit =
      context.silenceMs === null ? 'its start-up limit' : `${Math.round(context.silenceMs / 1_000)}s`;
    return {
      cause: 'silent',
      words: `${executable} printed nothing in ${limit} after it started (waiting for a login or a question?)`,
      fix: withLogin('silent', context),
    };
  }
  if (result.stopped?.startsWith(NETWORK_STOP_PREFIX) === true) {
    const limit = context.networkStallMs == null ? '' : ` for ${Math.round(context.networkStallMs / 1_000)}s`;
    return {
      cause: 'network',
      words: `${executable} printed only network failures${limit}: ${ownWords(result.stopped.slice(NETWORK_STOP_PREFIX.length))}`,
      fix: withLogin('network', context),
    };
  }
  if (result.spawnError !== null) {
    if (!/\bENOENT\b/.test(result.spawnError)) return null;
    return {
      cause: 'missing',
      words: `${executable}: not found (${result.spawnError})`,
      fix: FIXES.missing(context),
    };
  }
  if (result.exitCode === null || result.exitCode === 0) return null;
  const lines = result.tail.split(/\r?\n|\r/);
  for (const { cause, pattern } of ENVIRONMENT_PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line === undefined) continue;
    const failure: AgentEnvironmentFailure = { cause, words: ownWords(line), fix: withLogin(cause, context) };
    const retryAfterMs = cause === 'rate_limit' ? retryAfter(result.tail) : null;
    return retryAfterMs === null ? failure : { ...failure, retryAfterMs };
  }
  return null;
}

const FIXES: Record<EnvironmentCause, (context: AgentRunContext) => string> = {
  arguments: ({ executable }) =>
    `upgrade ${executable} to a version the preset was tested with (docs/agents.md), or give the agent your own argv under agents.custom in .omk/config.yml`,
  login: (context) =>
    `log ${context.executable} in on this machine (run it once in a terminal)${keys(context)}`,
  credentials: (context) => `give ${context.executable} working credentials${keys(context, 'set')}`,
  quota: ({ executable }) => `wait until ${executable}'s quota resets, or raise it with the provider`,
  rate_limit: ({ executable }) =>
    `wait until ${executable}'s rate limit resets (or raise it with the provider), or raise agents.rateLimitWait in .omk/config.yml`,
  network: ({ executable }) =>
    `check that this machine reaches ${executable}'s provider (DNS, proxy such as HTTPS_PROXY, firewall), then resume; or raise agents.networkStall in .omk/config.yml`,
  missing: ({ executable }) =>
    `install ${executable} (it must be on PATH), or pick another agent (agents.default in .omk/config.yml)`,
  silent: ({ executable }) =>
    `run ${executable} once by hand in the repository to see what it waits for (a login, a trust question), or raise agents.startupSilence in .omk/config.yml`,
};

/**
 * Causes a missing login may be behind without the CLI saying so (it hangs, or retries a provider
 * it cannot reach). For login and credentials the fix already says how to log in.
 */
const LOGIN_MAY_BE_WHY: ReadonlySet<EnvironmentCause> = new Set(['network', 'silent']);

/** The cause's fix, and that no login was found where that may be the reason. */
function withLogin(cause: EnvironmentCause, context: AgentRunContext): string {
  const fix = FIXES[cause](context);
  if (context.missingLogin === undefined || !LOGIN_MAY_BE_WHY.has(cause)) return fix;
  return `${fix}; ${context.missingLogin}`;
}

function keys(context: AgentRunContext, verb = 'or set'): string {
  if (context.envNames.length === 0) return verb === 'set' ? ' (log it in, or set its key variable)' : '';
  return ` ${verb === 'set' ? 'by setting' : 'or set'} ${context.envNames.join(' or ')}`;
}

/**
 * How long a rate-limited agent said to wait, in ms: `retry after 30s`, `Retry-After: 20`, `try
 * again in 2 minutes`, `retry in 1.5s`, `retryDelay: "17s"` (gemini). A number without a unit is
 * seconds (the HTTP header's). Null when it said nothing of it.
 */
export function retryAfter(text: string): number | null {
  const match = RETRY_AFTER.exec(text);
  if (match === null) return null;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return null;
  const unit = (match[2] ?? 's').toLowerCase();
  const factor =
    unit.startsWith('ms') || unit.startsWith('milli')
      ? 1
      : unit.startsWith('m')
        ? 60_000
        : unit.startsWith('h')
          ? 3_600_000
          : 1_000;
  return Math.round(value * factor);
}

/** Other programs' words for "wait this long": a named constant, tested in environment.test.ts. */
export const RETRY_AFTER =
  /\b(?:retry[ _-]?after|try again in|retry in|retrying in|retry ?delay)["']?\s*[:=]?\s*["']?(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\b/i;

/**
 * The message in a line of JSON (claude's `"result"`, gemini's `"message"`), else the line, trimmed
 * to something a terminal line can hold.
 */
function ownWords(line: string): string {
  const quoted = /"(?:result|message)"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
  let words = line.trim();
  if (quoted !== undefined) {
    try {
      words = String(JSON.parse(quoted));
    } catch {
      // Keep the line.
    }
  }
  return words.length > 300 ? `${words.slice(0, 300)}…` : words;
}
