import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUsage } from './usage.js';

describe('parseUsage', () => {
  it('reads claude --output-format json', () => {
    const out = JSON.stringify({
      type: 'result',
      subtype: 'success',
      result: 'done',
      total_cost_usd: 0.0421,
      usage: { input_tokens: 120, output_tokens: 80, cache_read_input_tokens: 1000 },
    });
    expect(parseUsage('claude', `${out}\n`)).toEqual({ tokens: 1200, usd: 0.0421 });
  });

  it('reads codex exec --json events, summing turns', () => {
    const out = [
      '{"type":"thread.started","thread_id":"t1"}',
      '{"type":"item.completed","item":{"type":"agent_message","text":"{not json"}}',
      'plain progress text',
      '{"type":"turn.completed","usage":{"input_tokens":500,"cached_input_tokens":100,"output_tokens":50}}',
      '{"type":"turn.completed","usage":{"input_tokens":10,"output_tokens":5}}',
    ].join('\n');
    expect(parseUsage('codex', out)).toEqual({ tokens: 565, usd: null });
  });

  it('reads older codex token_count events (running totals: the last wins)', () => {
    const out = [
      '{"id":"1","msg":{"type":"token_count","info":{"total_token_usage":{"total_tokens":100}}}}',
      '{"id":"2","msg":{"type":"token_count","info":{"total_token_usage":{"total_tokens":250}}}}',
    ].join('\n');
    expect(parseUsage('codex', out)).toEqual({ tokens: 250, usd: null });
  });

  it('reads gemini --output-format json stats per model', () => {
    const out = JSON.stringify(
      {
        response: 'ok',
        stats: {
          models: {
            'gemini-2.5-pro': { tokens: { prompt: 900, candidates: 50, total: 1000 } },
            'gemini-2.5-flash': { tokens: { prompt: 30, candidates: 10 } },
          },
        },
      },
      null,
      2,
    );
    expect(parseUsage('gemini', out)).toEqual({ tokens: 1040, usd: null });
  });

  it('reads opencode step_finish events with cost', () => {
    const out = [
      '{"type":"step_start","part":{"type":"step-start"}}',
      '{"type":"step_finish","part":{"cost":0.01,"tokens":{"input":100,"output":20,"reasoning":5}}}',
      '{"type":"step_finish","part":{"cost":0.02,"tokens":{"total":300}}}',
    ].join('\n');
    const usage = parseUsage('opencode', out);
    expect(usage.tokens).toBe(425);
    expect(usage.usd).toBeCloseTo(0.03);
  });

  it("reads aider's token and cost lines", () => {
    const out = [
      'Tokens: 2.3k sent, 150 received. Cost: $0.0093 message, $0.0093 session.',
      'Applied edit to src/a.py',
      'Tokens: 1.1k sent, 50 received. Cost: $0.0040 message, $0.0133 session.',
    ].join('\n');
    expect(parseUsage('aider', out)).toEqual({ tokens: 3600, usd: 0.0133 });
  });

  it('json: tries the known shapes and a plain {tokens, usd}', () => {
    expect(parseUsage('json', 'working...\n{"tokens": 42, "usd": 0.5}\n')).toEqual({ tokens: 42, usd: 0.5 });
    expect(parseUsage('json', '{"total_cost_usd":1,"usage":{"input_tokens":1,"output_tokens":2}}')).toEqual({
      tokens: 3,
      usd: 1,
    });
    expect(
      parseUsage('json', '{"type":"turn.completed","usage":{"input_tokens":7,"output_tokens":3}}'),
    ).toEqual({
      tokens: 10,
      usd: null,
    });
  });

  it.each([
    ['empty output', ''],
    ['plain text', 'I fixed the bug.'],
    ['broken JSON', '{"total_cost_usd": 0.1, "usage": {'],
    ['an array', '[1,2,3]'],
    ['wrong types', '{"total_cost_usd":"0.1","usage":{"input_tokens":"10"}}'],
    ['negative numbers', '{"total_cost_usd":-1,"usage":{"input_tokens":-5}}'],
  ])('unknown shapes give nulls: %s', (_, out) => {
    for (const parser of ['claude', 'codex', 'gemini', 'opencode', 'aider', 'json'] as const) {
      expect(parseUsage(parser, out)).toEqual({ tokens: null, usd: null });
    }
  });

  it('none never parses', () => {
    expect(parseUsage('none', '{"tokens": 42, "usd": 0.5}')).toEqual({ tokens: null, usd: null });
  });
});

/** Real outputs recorded from the CLIs without credentials (test/fixtures/agents/README.md). */
function recorded(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/agents/${name}`, import.meta.url), 'utf8');
}

describe('parseUsage on outputs recorded from the real CLIs', () => {
  it('claude 2.1.197 not logged in: its result reports zero tokens and $0, which is what it spent', () => {
    expect(parseUsage('claude', recorded('claude-2.1.197-not-logged-in.json'))).toEqual({
      tokens: 0,
      usd: 0,
    });
  });

  it('gemini 0.61.0 without an auth method: an error object and no stats, so usage is unknown', () => {
    expect(parseUsage('gemini', recorded('gemini-0.61.0-no-auth.txt'))).toEqual({ tokens: null, usd: null });
  });

  it('codex 0.171.0 without a network: events but no turn.completed, so usage is unknown', () => {
    expect(parseUsage('codex', recorded('codex-0.171.0-no-network.jsonl'))).toEqual({
      tokens: null,
      usd: null,
    });
  });

  it('opencode 1.18.33 that cannot reach its provider: an error event and no step_finish, so usage is unknown', () => {
    expect(parseUsage('opencode', recorded('opencode-1.18.33-cannot-connect.jsonl'))).toEqual({
      tokens: null,
      usd: null,
    });
  });
});
