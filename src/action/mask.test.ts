import { describe, expect, it } from 'vitest';
import { maskedTokenInputs, maskLine } from './mask.js';

describe("the entry's masks", () => {
  it('reads both token inputs as @actions/core reads them, trimmed, and skips empty ones', () => {
    const masked = maskedTokenInputs({ 'INPUT_GITHUB-TOKEN': ' ghs_a \n', 'INPUT_CI-TOKEN': '  ' });
    expect(masked).toEqual(['ghs_a', Buffer.from('x-access-token:ghs_a').toString('base64')]);
    expect(maskedTokenInputs({})).toEqual([]);
  });

  it("escapes a value as a workflow command's data, so a newline cannot end the command", () => {
    expect(maskLine('a%b\r\nc')).toBe('::add-mask::a%25b%0D%0Ac\n');
  });
});
