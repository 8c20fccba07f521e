import { describe, expect, it } from 'vitest';
import { statusThread } from './status-thread.js';

describe('statusThread', () => {
  it("puts the status in the goal's own thread, naming who started it, over the job's", () => {
    expect(statusThread({ issue: 7, login: 'ada' }, { issue: 12, startedBy: 'bob' })).toEqual({
      issue: 7,
      startedBy: 'ada',
    });
  });

  it("falls back to the job's thread and person when the goal records no origin", () => {
    expect(statusThread(null, { issue: 12, startedBy: 'bob' })).toEqual({ issue: 12, startedBy: 'bob' });
  });

  it('shows nothing when neither knows a thread', () => {
    expect(statusThread(null, { issue: null, startedBy: null })).toEqual({ issue: null, startedBy: null });
  });
});
