import { describe, expect, it } from 'vitest';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { refusedWhileRunning } from './busy.js';

describe('refusedWhileRunning', () => {
  it('lets a command deliver or merge a goal that is not running here', () => {
    expect(refusedWhileRunning({ goalId: 'g-1', verb: 'merge', running: false })).toBeNull();
  });

  it('refuses delivery and merge of a running goal, naming the step for after it', () => {
    const openPr = refusedWhileRunning({ goalId: 'g-1', verb: 'open-pr', running: true });
    expect(openPr?.code).toBe('busy');
    expect(openPr?.message).toBe('Goal g-1 is running in this app.');
    expect(openPr?.hintIn(NEUTRAL_STEPS)).toContain('goal open-pr');
    const merge = refusedWhileRunning({ goalId: 'g-1', verb: 'merge', running: true });
    expect(merge?.hintIn(NEUTRAL_STEPS)).toContain('goal merge');
  });
});
