import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS, findPreset } from './presets.js';
import { USAGE_PARSERS } from './usage.js';

describe('agent presets', () => {
  it('cover the documented CLIs', () => {
    expect(AGENT_PRESETS.map((p) => p.name)).toEqual([
      'claude',
      'codex',
      'gemini',
      'kimi',
      'aider',
      'opencode',
    ]);
  });

  it.each(AGENT_PRESETS.map((p) => [p.name, p] as const))(
    '%s carries its prompt the way it says',
    (_, preset) => {
      const placeholder = preset.prompt === 'file' ? '{promptFile}' : '{prompt}';
      if (preset.prompt !== 'stdin') expect(preset.argv).toContain(placeholder);
      expect(preset.argv[0]).toBe(preset.name);
      expect(USAGE_PARSERS).toContain(preset.usage);
      expect(preset.envNames.some((n) => /GITHUB|GH_/.test(n))).toBe(false);
    },
  );

  it('finds by exact name only', () => {
    expect(findPreset('claude')?.name).toBe('claude');
    expect(findPreset('Claude')).toBeUndefined();
  });
});
