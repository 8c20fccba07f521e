import { describe, expect, it } from 'vitest';
import { findCredentials } from './credentials.js';
import { findPreset } from './presets.js';

function preset(name: string) {
  const found = findPreset(name);
  if (found === undefined) throw new Error(`no preset ${name}`);
  return found;
}

/** Only these paths exist. */
function only(...paths: string[]): (path: string) => boolean {
  return (path) => paths.includes(path);
}

describe('findCredentials', () => {
  it('codex with nothing: names its key variables, its login files and how to log in', () => {
    const finding = findCredentials(preset('codex'), { HOME: '/home/u' }, only());
    expect(finding.found).toBeNull();
    expect(finding.missing).toBe(
      'none of OPENAI_API_KEY, CODEX_API_KEY is set and there is no ~/.codex/auth.json or ~/.codex/config.toml',
    );
    expect(finding.how).toBe('run `codex login` once in a terminal, or set OPENAI_API_KEY or CODEX_API_KEY');
  });

  it('a set key variable counts; an empty one does not', () => {
    expect(findCredentials(preset('codex'), { HOME: '/h', CODEX_API_KEY: 'k' }, only()).found).toBe(
      'CODEX_API_KEY',
    );
    expect(findCredentials(preset('codex'), { HOME: '/h', OPENAI_API_KEY: '' }, only()).found).toBeNull();
  });

  it('a login file under HOME counts', () => {
    const finding = findCredentials(preset('codex'), { HOME: '/h' }, only('/h/.codex/auth.json'));
    expect(finding).toMatchObject({ found: '~/.codex/auth.json', missing: null });
  });

  it("opencode's login is under XDG_DATA_HOME when that is set, else ~/.local/share", () => {
    const xdg = findCredentials(
      preset('opencode'),
      { HOME: '/h', XDG_DATA_HOME: '/data' },
      only('/data/opencode/auth.json'),
    );
    expect(xdg.found).toBe('$XDG_DATA_HOME/opencode/auth.json');
    const home = findCredentials(preset('opencode'), { HOME: '/h' }, only('/data/opencode/auth.json'));
    expect(home.found).toBeNull();
    expect(home.missing).toContain('there is no ~/.local/share/opencode/auth.json');
    expect(home.how).toContain('run `opencode auth login` once in a terminal');
  });

  it('without HOME no login file can be found, and nothing is looked up', () => {
    const finding = findCredentials(preset('claude'), {}, () => {
      throw new Error('no path to look up without HOME');
    });
    expect(finding.found).toBeNull();
    expect(finding.missing).toContain('none of ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN is set');
  });

  it('only codex stops a run before it starts; the others say so themselves, or may run without', () => {
    expect(
      ['claude', 'codex', 'gemini', 'opencode'].map((name) => [name, preset(name).login?.preflight]),
    ).toEqual([
      ['claude', 'note'],
      ['codex', 'stop'],
      ['gemini', 'note'],
      ['opencode', 'note'],
    ]);
  });
});
