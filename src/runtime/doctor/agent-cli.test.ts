import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPreset, presetArgv } from '../agents/presets.js';
import { flagsMissingFrom, helpArgv, presetCliReport, presetFlags, versionLine } from './agent-cli.js';

/** Real `--help` output of the CLIs (see test/fixtures/agents/README.md). */
function captured(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/agents/${name}`, import.meta.url), 'utf8');
}

function preset(name: string) {
  const found = findPreset(name);
  if (found === undefined) throw new Error(`no preset ${name}`);
  return found;
}

describe('the presets against the help of the CLI versions they were written for', () => {
  it.each([
    ['claude', 'claude-2.1.197-help.txt', 'claude --help'],
    ['codex', 'codex-0.171.0-exec-help.txt', 'codex exec --help'],
    ['gemini', 'gemini-0.61.0-help.txt', 'gemini --help'],
    ['opencode', 'opencode-1.18.33-run-help.txt', 'opencode run --help'],
  ])('%s: every flag is listed in %s', (name, fixture, command) => {
    const report = presetCliReport(preset(name), null, captured(fixture));
    expect(report.helpCommand).toBe(command);
    expect(report.missingFlags).toEqual([]);
  });

  it("codex 0.171.0 no longer lists the old preset's --full-auto", () => {
    const help = captured('codex-0.171.0-exec-help.txt');
    expect(flagsMissingFrom(help, ['--full-auto', '--json', '--sandbox'])).toEqual(['--full-auto']);
  });

  it('gemini 0.61.0 lists --skip-trust; a flag inside a word does not count', () => {
    const help = captured('gemini-0.61.0-help.txt');
    expect(flagsMissingFrom(help, ['--skip-trust', '--skip'])).toEqual(['--skip']);
  });
});

describe('the argv picked for older CLI versions against their recorded help', () => {
  it('gemini 0.30.0 has no --skip-trust, and lists every flag of the argv picked for it', () => {
    const help = captured('gemini-0.30.0-help.txt');
    expect(flagsMissingFrom(help, ['--skip-trust'])).toEqual(['--skip-trust']);
    const picked = presetArgv(preset('gemini'), versionLine('0.30.0'));
    expect(presetCliReport({ argv: picked.argv }, '0.30.0', help).missingFlags).toEqual([]);
  });

  it('gemini 0.40.0 lists every flag of the preset argv, which it gets', () => {
    const picked = presetArgv(preset('gemini'), '0.40.0');
    expect(picked.argv).toEqual(preset('gemini').argv);
    const report = presetCliReport({ argv: picked.argv }, '0.40.0', captured('gemini-0.40.0-help.txt'));
    expect(report.missingFlags).toEqual([]);
  });

  it('codex 0.20.0 lists every flag of the preset argv (and still had --full-auto)', () => {
    const help = captured('codex-0.20.0-exec-help.txt');
    expect(presetCliReport(preset('codex'), 'codex-cli 0.20.0', help).missingFlags).toEqual([]);
    expect(flagsMissingFrom(help, ['--full-auto'])).toEqual([]);
  });
});

describe('helpers', () => {
  it('reads the help of the subcommand the preset runs', () => {
    expect(helpArgv(['codex', 'exec', '--json', '{prompt}'])).toEqual(['codex', 'exec', '--help']);
    expect(helpArgv(['claude', '-p', '{prompt}'])).toEqual(['claude', '--help']);
    expect(helpArgv(['aider', '--message-file', '{promptFile}'])).toEqual(['aider', '--help']);
  });

  it('takes the flags, not their values or placeholders', () => {
    expect(presetFlags(preset('claude').argv)).toEqual([
      '-p',
      '--output-format',
      '--permission-mode',
      '--allowedTools',
    ]);
  });

  it('finds the version line past a warning', () => {
    const codex =
      'WARNING: proceeding, even though we could not create PATH aliases: under temporary dir "/tmp"\ncodex-cli 0.171.0\n';
    expect(versionLine(codex)).toBe('codex-cli 0.171.0');
    expect(versionLine('2.1.197 (Claude Code)\n')).toBe('2.1.197 (Claude Code)');
    expect(versionLine('no digits here')).toBeNull();
  });
});
