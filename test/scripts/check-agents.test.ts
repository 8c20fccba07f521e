import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-agents.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * An installed "claude" that answers as Claude Code 2.1.197 did with no login (its recorded
 * --help and not-logged-in outputs), so the script runs here without the registry.
 */
async function recordedClaude(root: string, help: string): Promise<void> {
  await mkdir(join(root, 'node_modules', '@anthropic-ai', 'claude-code'), { recursive: true });
  await writeFile(join(root, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json'), '{}\n');
  await mkdir(join(root, 'node_modules', '.bin'), { recursive: true });
  const bin = join(root, 'node_modules', '.bin', 'claude');
  await writeFile(
    bin,
    `#!/usr/bin/env node
const { readFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args.includes('--version')) { console.log('2.1.197 (Claude Code)'); process.exit(0); }
if (args.includes('--help')) { process.stdout.write(readFileSync(${JSON.stringify(help)}, 'utf8')); process.exit(0); }
process.stdout.write(readFileSync(${JSON.stringify(join(FIXTURES, 'claude-2.1.197-not-logged-in.json'))}, 'utf8'));
process.exit(1);
`,
  );
  await chmod(bin, 0o755);
}

describe('npm run check:agents', () => {
  it('a CLI that answers as claude 2.1.197 does without a login: stopped while planning, a green row, no attempt spent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-check-agents-test-'));
    await recordedClaude(dir, join(FIXTURES, 'claude-2.1.197-help.txt'));
    const result = await run(['--dir', dir, '--only', 'claude', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const [row] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({
      cli: 'claude',
      version: '2.1.197 (Claude Code)',
      flags: 'yes',
      environment: 'yes (login, while planning)',
      attempts: 0,
      green: true,
    });
    expect(String(row?.message)).toContain('Not logged in');
  }, 120_000);

  it('a CLI whose help lacks a preset flag is a red row and exit 1', async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-check-agents-test-'));
    const help = join(dir, 'old-help.txt');
    await writeFile(help, 'Usage: claude [options]\n  -p, --print  print mode\n');
    await recordedClaude(dir, help);
    const result = await run(['--dir', dir, '--only', 'claude']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\| ✗ claude \| 2\.1\.197 \(Claude Code\) \| no \|/);
  }, 120_000);

  it('refuses an unknown preset with the known ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-check-agents-test-'));
    const result = await run(['--only', 'gpt-17']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('known: claude, codex, gemini, opencode');
  });
});
