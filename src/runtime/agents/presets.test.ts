import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS, findPreset, parseVersion, presetArgv, versionBelow } from './presets.js';
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

describe('the argv for the installed version', () => {
  const gemini = findPreset('gemini');
  const codex = findPreset('codex');
  if (gemini === undefined || codex === undefined) throw new Error('presets missing');

  it('reads the version from what --version prints', () => {
    expect(parseVersion('codex-cli 0.171.0')).toEqual([0, 171, 0]);
    expect(parseVersion('2.1.197 (Claude Code)')).toEqual([2, 1, 197]);
    expect(parseVersion('v1.2')).toEqual([1, 2, 0]);
    expect(parseVersion('no version')).toBeNull();
    expect(parseVersion(null)).toBeNull();
  });

  it('compares part by part, numerically', () => {
    expect(versionBelow([0, 39, 9], [0, 40, 0])).toBe(true);
    expect(versionBelow([0, 100, 0], [0, 40, 0])).toBe(false);
    expect(versionBelow([0, 40, 0], [0, 40, 0])).toBe(false);
  });

  it('gemini before 0.40 gets the argv without --skip-trust; 0.40 and later, or unknown, the preset argv', () => {
    expect(presetArgv(gemini, '0.30.0').argv).not.toContain('--skip-trust');
    expect(presetArgv(gemini, '0.30.0').why).toContain('0.40');
    expect(presetArgv(gemini, '0.40.0').argv).toEqual(gemini.argv);
    expect(presetArgv(gemini, '0.61.0').argv).toContain('--skip-trust');
    expect(presetArgv(gemini, null)).toEqual({ argv: gemini.argv, why: null });
  });

  it('codex runs one argv on every version read (0.20.0 to 0.171.0)', () => {
    expect(presetArgv(codex, 'codex-cli 0.20.0').argv).toEqual(codex.argv);
    expect(codex.argv).not.toContain('--full-auto');
  });
});
