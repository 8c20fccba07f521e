import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

function words(line: string): string[] {
  const result = tokenize(line);
  if (!result.ok) throw new Error(result.message);
  return result.tokens;
}

describe('tokenize', () => {
  it('splits on spaces and tabs, collapsing runs', () => {
    expect(words('/omk  goal\tstatus   abc-123 ')).toEqual(['/omk', 'goal', 'status', 'abc-123']);
    expect(words('')).toEqual([]);
    expect(words('   ')).toEqual([]);
  });

  it('groups double-quoted text and keeps single quotes inside it', () => {
    expect(words('goal run "fix the user\'s login" --policy auto-pr')).toEqual([
      'goal',
      'run',
      "fix the user's login",
      '--policy',
      'auto-pr',
    ]);
  });

  it('escapes quotes and backslashes inside double quotes, keeps other backslashes', () => {
    expect(words('"say \\"hi\\" to C:\\temp\\\\x"')).toEqual(['say "hi" to C:\\temp\\x']);
  });

  it('takes single quotes literally, backslashes included', () => {
    expect(words("'a \\\" b' c")).toEqual(['a \\" b', 'c']);
  });

  it('accepts typographic quotes', () => {
    expect(words('run “fix the parser” --policy ‘draft-pr’')).toEqual([
      'run',
      'fix the parser',
      '--policy',
      'draft-pr',
    ]);
  });

  it('joins adjacent quoted and bare parts into one word', () => {
    expect(words('--reason="not now"x')).toEqual(['--reason=not nowx']);
    expect(words('a"b c"d')).toEqual(['ab cd']);
  });

  it('keeps empty quotes as an empty word', () => {
    expect(words('--reason "" x')).toEqual(['--reason', '', 'x']);
    expect(words("''")).toEqual(['']);
  });

  it('escapes a space outside quotes', () => {
    expect(words('a\\ b c')).toEqual(['a b', 'c']);
  });

  it('never expands anything a shell would', () => {
    const line = 'run "$(rm -rf /) `id` $HOME ; && | > x *"';
    expect(words(line)).toEqual(['run', '$(rm -rf /) `id` $HOME ; && | > x *']);
    expect(words('$(id) `id` ~ *')).toEqual(['$(id)', '`id`', '~', '*']);
  });

  it('reports an unclosed quote with its column', () => {
    expect(tokenize('run "fix it')).toEqual({
      ok: false,
      message: 'The quote " opened at column 5 is never closed.',
      column: 5,
    });
    expect(tokenize("it's").ok).toBe(false);
  });

  it('reports a trailing backslash', () => {
    expect(tokenize('run fix\\')).toMatchObject({ ok: false, column: 8 });
  });

  it('keeps astral characters whole', () => {
    expect(words('"fix 🐛 now" 🚀')).toEqual(['fix 🐛 now', '🚀']);
  });

  it('is linear on a 64 KB line', () => {
    const long = `"${'a'.repeat(64 * 1024)}`;
    const started = performance.now();
    expect(tokenize(long).ok).toBe(false);
    expect(words('x '.repeat(32 * 1024))).toHaveLength(32 * 1024);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
