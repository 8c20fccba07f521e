import { describe, expect, it } from 'vitest';
import { LiveBlock } from './live-block.js';

describe('LiveBlock', () => {
  it('redraws over its last drawing, cuts lines to the width, and logs above itself', () => {
    const out: string[] = [];
    const block = new LiveBlock((text) => out.push(text), 8);
    block.draw(['short', 'a line that is too wide']);
    expect(out[0]).toBe('\r\x1b[2Kshort\n\r\x1b[2Ka line…\n\x1b[J');
    block.draw(['one']);
    expect(out[1]).toBe('\x1b[2A\r\x1b[2Kone\n\x1b[J');
    block.log('note');
    expect(out[2]).toBe('\x1b[1A\r\x1b[Jnote\n');
    expect(out[3]).toBe('\r\x1b[2Kone\n\x1b[J');
  });

  it('writes a log as it is before anything is drawn', () => {
    const out: string[] = [];
    new LiveBlock((text) => out.push(text), 80).log('first\n');
    expect(out).toEqual(['first\n']);
  });
});
