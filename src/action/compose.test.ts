import { describe, expect, it } from 'vitest';
import { statePollMs } from './compose.js';

describe('statePollMs', () => {
  it('reads OMK_STATE_POLL_MS, and falls back to 15 s for anything that is not a whole number of at least 100 ms', () => {
    expect(statePollMs({ OMK_STATE_POLL_MS: '200' })).toBe(200);
    for (const bad of [undefined, '', 'soon', '99', '-5', '1.5', '1e9x'])
      expect(statePollMs({ OMK_STATE_POLL_MS: bad })).toBe(15_000);
  });
});
