import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARED_POLL_MS, sharedPollMs } from './shared-poll.js';

describe('sharedPollMs', () => {
  it('reads OMK_STATE_POLL_MS, and falls back to 15 s for anything that is not a whole number of at least 100 ms', () => {
    expect(sharedPollMs({ OMK_STATE_POLL_MS: '200' })).toBe(200);
    expect(sharedPollMs({ OMK_STATE_POLL_MS: '100' })).toBe(100);
    expect(DEFAULT_SHARED_POLL_MS).toBe(15_000);
    for (const bad of [undefined, '', 'soon', '99', '-5', '1.5', '1e9x'])
      expect(sharedPollMs({ OMK_STATE_POLL_MS: bad }), String(bad)).toBe(15_000);
  });
});
