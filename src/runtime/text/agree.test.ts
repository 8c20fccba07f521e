import { describe, expect, it } from 'vitest';
import { byCount } from './agree.js';

describe('byCount', () => {
  it('takes the singular word for one and the plural for none or many', () => {
    expect(byCount(1, 'test fails', 'tests fail')).toBe('test fails');
    expect(byCount(2, 'test fails', 'tests fail')).toBe('tests fail');
    expect(byCount(0, 'it', 'they')).toBe('they');
  });
});
