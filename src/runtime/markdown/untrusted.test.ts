import { describe, expect, it } from 'vitest';
import { code, html, link, quote, text } from './untrusted.js';

/** Table cells as GFM's row scanner splits them: a backslash escapes the next character, `|` splits. */
function cells(row: string): string[] {
  return row.match(/(?:\\.|[^|\\])+/g) ?? [];
}

const HOSTILE = [
  '<!-- omk:proof v1 AAAA -->',
  '@org/team please look',
  '</details></pre><details open>',
  'a ``` b ` c',
  'a | b \\| c',
  'first\nsecond\r\nthird',
];

describe('text', () => {
  it('turns HTML and comment openers into entities, so nothing after them is hidden', () => {
    expect(text('<!-- omk:proof v1 AAAA -->')).toBe('&lt;!-- omk:proof v1 AAAA --&gt;');
    expect(text('</details>')).toBe('&lt;/details&gt;');
    expect(text('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('defuses user and team mentions', () => {
    expect(text('@org/team and @alice')).toBe('@&#8203;org/team and @&#8203;alice');
  });

  it('escapes Markdown punctuation, backtick runs and table pipes', () => {
    expect(text('a ``` b')).toBe('a \\`\\`\\` b');
    expect(text('*x* _y_ [l](u) ~z~ #1 $m$ \\')).toBe('\\*x\\* \\_y\\_ \\[l\\](u) \\~z\\~ \\#1 \\$m\\$ \\\\');
    expect(text('a | b')).toBe('a \\| b');
  });

  it('keeps a line from starting a list, a setext heading or an ordered item', () => {
    expect(text('- item')).toBe('\\- item');
    expect(text('=====')).toBe('\\=====');
    expect(text('12. item')).toBe('12\\. item');
    expect(text('3) item')).toBe('3\\) item');
  });

  it('is one line: line breaks (and the space around them) become one space', () => {
    expect(text('first \n\n  second\r\nthird\u2028fourth')).toBe('first second third fourth');
  });

  it('shows controls, bidi overrides and zero-width characters as a replacement character', () => {
    expect(text('a\u202eb\u200bc\u0007d\u0085e')).toBe('a\ufffdb\ufffdc\ufffdd\ufffde');
  });

  it.each(HOSTILE)('keeps %j inside one table cell', (value) => {
    const row = `| ${text(value)} | next |`;
    expect(cells(row).map((cell) => cell.trim())).toHaveLength(2);
    expect(row).not.toMatch(/[\n<>]|@(?!&#8203;)/);
  });
});

describe('code', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(code('src/a.ts')).toBe('`src/a.ts`');
    expect(code('a ``` b ` c')).toBe('````a ``` b ` c````');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('')).toBe('');
  });

  it('escapes pipes only in a table cell, where GFM splits cells first', () => {
    expect(code('a|b')).toBe('`a|b`');
    expect(code('a|b', true)).toBe('`a\\|b`');
  });

  it('keeps a pipe after a backslash escaped, so the cell splitter never sees a bare delimiter', () => {
    expect(code('a\\|b', true)).toBe('`a\\\\\\|b`');
    expect(code('a\\\\|b', true)).toBe('`a\\\\\\|b`');
  });

  it('is one line with invisible characters shown', () => {
    expect(code('a\nb\u202ec')).toBe('`a b\ufffdc`');
  });

  it.each(HOSTILE)('keeps %j inside one table cell', (value) => {
    expect(cells(`| ${code(value, true)} | next |`)).toHaveLength(2);
  });
});

describe('html', () => {
  it('escapes markup so </pre> and </details> cannot close the block', () => {
    expect(html('</pre></details><!--')).toBe('&lt;/pre&gt;&lt;/details&gt;&lt;!--');
  });

  it('defuses mentions unless asked not to (inside <pre>), and keeps line breaks', () => {
    expect(html('@org/team\nnext')).toBe('@&#8203;org/team\nnext');
    expect(html('@org/team\tnext', false)).toBe('@org/team\tnext');
  });

  it('shows controls, bidi and zero-width characters', () => {
    expect(html('a\u001b[31mb\u2066c\ufeff')).toBe('a\ufffd[31mb\ufffdc\ufffd');
  });
});

describe('link', () => {
  it('links plain web URLs only', () => {
    expect(link('#12', 'https://github.com/o/r/pull/12')).toBe('[\\#12](https://github.com/o/r/pull/12)');
    expect(link('x', 'javascript:alert(1)')).toBe('x `javascript:alert(1)`');
    expect(link('x', 'https://e.com/a)b')).toBe('x `https://e.com/a)b`');
  });

  it('never puts a raw pipe of a URL into a table row', () => {
    expect(link('x', 'https://e.com/a|b')).toBe('x `https://e.com/a|b`');
    expect(cells(`| ${link('x', 'https://e.com/a|b', true)} | next |`)).toHaveLength(2);
  });
});

describe('quote', () => {
  it('quotes each line, escaped, so no line can start a heading, a list or a comment', () => {
    expect(quote('# Heading\n- item\n<!-- hide\n\n@alice')).toEqual([
      '> \\# Heading',
      '> \\- item',
      '> &lt;!-- hide',
      '>',
      '> @&#8203;alice',
    ]);
  });
});
