import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessResult } from '../ports.js';
import { type AgentRunContext, ENVIRONMENT_PATTERNS, environmentFailure } from './environment.js';

/** Real output captured from the CLIs (see test/fixtures/agents/README.md). */
function captured(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/agents/${name}`, import.meta.url), 'utf8');
}

function exited(exitCode: number | null, tail: string, more: Partial<ProcessResult> = {}) {
  return { exitCode, tail, spawnError: null, timedOut: false, cancelled: false, ...more };
}

const claude: AgentRunContext = {
  executable: 'claude',
  envNames: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
  silenceMs: 60_000,
};
const gemini: AgentRunContext = { executable: 'gemini', envNames: ['GEMINI_API_KEY'], silenceMs: 60_000 };
const codex: AgentRunContext = { executable: 'codex', envNames: ['OPENAI_API_KEY'], silenceMs: 60_000 };

describe('environmentFailure on real CLI output', () => {
  it('claude 2.1.197 not logged in: login, in its own words, with the key variables', () => {
    const failure = environmentFailure(exited(1, captured('claude-2.1.197-not-logged-in.json')), claude);
    expect(failure).toEqual({
      cause: 'login',
      words: 'Not logged in · Please run /login',
      fix: expect.stringContaining('ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN'),
    });
  });

  it('claude 2.1.197 refusing bypassPermissions as root: arguments', () => {
    const failure = environmentFailure(exited(1, captured('claude-2.1.197-bypass-as-root.txt')), claude);
    expect(failure?.cause).toBe('arguments');
    expect(failure?.words).toBe(
      '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons',
    );
  });

  it('codex 0.171.0 refusing --full-auto: arguments, with the upgrade fix', () => {
    const failure = environmentFailure(exited(2, captured('codex-0.171.0-unexpected-argument.txt')), codex);
    expect(failure).toEqual({
      cause: 'arguments',
      words: "error: unexpected argument '--full-auto' found",
      fix: expect.stringContaining('upgrade codex'),
    });
  });

  it('gemini 0.61.0 without an auth method: credentials, naming its message', () => {
    const failure = environmentFailure(exited(41, captured('gemini-0.61.0-no-auth-untrusted.txt')), gemini);
    expect(failure?.cause).toBe('credentials');
    expect(failure?.words).toMatch(/^Please set an Auth method in your .*GEMINI_API_KEY/);
    expect(failure?.fix).toContain('GEMINI_API_KEY');
  });

  it('the same outputs with exit 0 are not failures at all', () => {
    expect(environmentFailure(exited(0, captured('claude-2.1.197-not-logged-in.json')), claude)).toBeNull();
  });

  it('opencode 1.18.33 that cannot reach its provider: network, in its own words', () => {
    expect(
      environmentFailure(exited(1, captured('opencode-1.18.33-cannot-connect.jsonl')), codex),
    ).toMatchObject({
      cause: 'network',
      words: expect.stringContaining('Cannot connect to API: Unable to connect'),
      fix: expect.stringContaining('HTTPS_PROXY'),
    });
  });

  it("a test run inside the agent that printed ECONNREFUSED is not the agent's network", () => {
    expect(
      environmentFailure(exited(1, 'connect ECONNREFUSED 127.0.0.1:5432\n1 test failed'), codex),
    ).toBeNull();
  });
});

describe('environmentFailure on other causes', () => {
  it.each([
    ['rate_limit', 'ERROR: exceeded retry limit, last status: 429 Too Many Requests'],
    ['rate_limit', 'API Error: Rate limit reached for requests'],
    ['quota', 'API Error: Claude AI usage limit reached|1760000000'],
    ['quota', '{"error":{"code":"insufficient_quota"}}'],
    ['credentials', 'unexpected status 401 Unauthorized: Incorrect API key provided'],
    ['credentials', 'API Error: 401 {"type":"error","error":{"type":"authentication_error"}}'],
    ['arguments', "error: unknown option '--yolo'"],
    ['arguments', 'Unknown arguments: skip-trust, skipTrust'],
    ['arguments', 'aider: error: unrecognized arguments: --no-gitignore'],
  ] as const)('%s: %s', (cause, line) => {
    expect(environmentFailure(exited(1, `some output\n${line}\n`), codex)?.cause).toBe(cause);
  });

  it("an agent that ran and failed is the agent's failure", () => {
    const tail = 'FAIL test/sum.test.js\n  expected 3, got 4\nTests: 1 failed, 12 passed\n';
    expect(environmentFailure(exited(1, tail), codex)).toBeNull();
  });

  it('a binary that is not installed is missing; one that will not start otherwise is not classified', () => {
    expect(environmentFailure(exited(null, '', { spawnError: 'spawn claude ENOENT' }), claude)).toMatchObject(
      { cause: 'missing', fix: expect.stringContaining('install claude') },
    );
    expect(environmentFailure(exited(null, '', { spawnError: 'spawn claude EACCES' }), claude)).toBeNull();
  });

  it('an agent silent at start names the limit and how to raise it', () => {
    const failure = environmentFailure(exited(null, '', { silent: true }), claude);
    expect(failure).toMatchObject({
      cause: 'silent',
      words: expect.stringContaining('printed nothing in 60s'),
    });
    expect(failure?.fix).toContain('agents.startupSilence');
  });

  it('a timeout or a cancel is never an environment failure', () => {
    const notLoggedIn = captured('claude-2.1.197-not-logged-in.json');
    expect(environmentFailure(exited(null, notLoggedIn, { timedOut: true }), claude)).toBeNull();
    expect(environmentFailure(exited(null, notLoggedIn, { cancelled: true }), claude)).toBeNull();
  });

  it('keeps every pattern named by its cause', () => {
    expect(ENVIRONMENT_PATTERNS.map((p) => p.cause)).toEqual([
      'arguments',
      'login',
      'credentials',
      'quota',
      'rate_limit',
      'network',
    ]);
  });

  it('a rate limit carries how long the agent said to wait, in whatever unit it said it', () => {
    const limited = (said: string) =>
      environmentFailure(exited(1, `429 Too Many Requests\n${said}\n`), codex)?.retryAfterMs;
    expect(limited('Please retry after 30s.')).toBe(30_000);
    expect(limited('Retry-After: 20')).toBe(20_000);
    expect(limited('Rate limited; try again in 2 minutes')).toBe(120_000);
    expect(limited('retrying in 1.5s')).toBe(1_500);
    expect(limited('{"retryDelay": "17s"}')).toBe(17_000);
    expect(limited('retry after 250ms')).toBe(250);
    expect(limited('nothing said')).toBeUndefined();
    // A quota is not a rate limit: no wait is read from it.
    expect(environmentFailure(exited(1, 'insufficient_quota\nretry after 30s\n'), codex)).not.toHaveProperty(
      'retryAfterMs',
    );
  });

  it('adds that no login was found where that may be why (silent, network), not where the CLI said so (login) nor to a refused argument', () => {
    const missingLogin =
      'no login was found for it either (there is no ~/.local/share/opencode/auth.json): run `opencode auth login` once in a terminal';
    const opencode: AgentRunContext = {
      executable: 'opencode',
      envNames: [],
      silenceMs: 20_000,
      missingLogin,
    };
    const silent = environmentFailure(exited(null, '', { silent: true }), opencode);
    expect(silent?.fix).toMatch(
      /agents\.startupSilence in \.omk\/config\.yml; no login was found for it either/,
    );
    const network = environmentFailure(
      exited(1, captured('opencode-1.18.33-cannot-connect.jsonl')),
      opencode,
    );
    expect(network?.fix).toContain('run `opencode auth login` once in a terminal');
    const refused = environmentFailure(exited(2, captured('codex-0.171.0-unexpected-argument.txt')), {
      ...codex,
      missingLogin,
    });
    expect(refused?.cause).toBe('arguments');
    expect(refused?.fix).not.toContain('no login');
    const said = environmentFailure(exited(1, captured('claude-2.1.197-not-logged-in.json')), {
      ...claude,
      missingLogin,
    });
    expect(said?.cause).toBe('login');
    expect(said?.fix).not.toContain('no login was found');
  });
});
