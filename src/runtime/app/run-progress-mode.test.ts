import { describe, expect, it } from 'vitest';
import { runProgressMode } from './run-progress-mode.js';

describe('runProgressMode: when a run shows its progress', () => {
  it('redraws it live on a terminal, quiet and JSON output aside', () => {
    expect(runProgressMode({ verbosity: 'normal', json: false, terminal: true })).toBe('live');
    expect(runProgressMode({ verbosity: 'verbose', json: false, terminal: true })).toBe('live');
    expect(runProgressMode({ verbosity: 'quiet', json: false, terminal: true })).toBeNull();
    expect(runProgressMode({ verbosity: 'normal', json: true, terminal: true })).toBeNull();
  });

  it('writes one line per event off a terminal only when verbose', () => {
    expect(runProgressMode({ verbosity: 'verbose', json: false, terminal: false })).toBe('lines');
    expect(runProgressMode({ verbosity: 'normal', json: false, terminal: false })).toBeNull();
    expect(runProgressMode({ verbosity: 'verbose', json: true, terminal: false })).toBeNull();
  });
});
