import { describe, expect, it } from 'vitest';
import { findCommand } from './find-command.js';

const line = (body: string) => {
  const found = findCommand(body);
  return found.kind === 'command' ? found.line : found.kind;
};

describe('findCommand', () => {
  it('takes the first /omk line only', () => {
    expect(line('Thanks!\n/omk goal status\n/omk goal cancel')).toBe('/omk goal status');
    expect(line('  /omk help  ')).toBe('/omk help');
  });

  it('needs /omk as a word at the start of a line', () => {
    expect(line('please run /omk goal status')).toBe('none');
    expect(line('/omkx goal status')).toBe('none');
    expect(line('/omk')).toBe('/omk');
  });

  it('ignores hidden HTML comments, including unclosed ones', () => {
    expect(line('<!-- /omk goal run "evil" -->\n/omk goal status')).toBe('/omk goal status');
    expect(line('<!--\n/omk goal run "evil"\n-->')).toBe('none');
    expect(line('hello <!-- \n/omk goal run "evil"')).toBe('none');
  });

  it('ignores collapsed <details>, nested or unclosed', () => {
    const body =
      '<details><summary>x</summary>\n<details>\n/omk goal run "a"\n</details>\n/omk goal run "b"\n</details>\n/omk help';
    expect(line(body)).toBe('/omk help');
    expect(line('<DETAILS open>\n/omk goal run "a"')).toBe('none');
  });

  it('ignores fenced code, quoted replies and indented code', () => {
    expect(line('```\n/omk goal run "x"\n```\n/omk goal proof')).toBe('/omk goal proof');
    expect(line('~~~~\n/omk goal run "x"\n~~~\n/omk help\n~~~~\n/omk goal proof')).toBe('/omk goal proof');
    expect(line('> /omk goal run "x"')).toBe('none');
    expect(line('    /omk goal run "x"')).toBe('none');
  });

  it('drops zero-width characters and refuses bidirectional controls', () => {
    expect(line('/\u200bomk goal\u200b status')).toBe('/omk goal status');
    expect(findCommand('/omk goal run "a\u202eb"')).toEqual({ kind: 'refused', reason: 'bidi' });
    expect(findCommand('/omk goal run "a\u2067b\u2069"')).toEqual({ kind: 'refused', reason: 'bidi' });
  });

  it('stays linear on hostile 64 KB bodies', () => {
    const started = performance.now();
    expect(line('<!--'.repeat(16 * 1024))).toBe('none');
    expect(line('<details '.repeat(7 * 1024))).toBe('none');
    expect(line(`${'`'.repeat(3)}\n${'x\n'.repeat(30_000)}`)).toBe('none');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
