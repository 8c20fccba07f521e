import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateSpec } from './port.js';
import { missingRequiredTool } from './tool-preflight.js';

let root: string;
let bin: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-preflight-'));
  bin = join(root, 'host-bin');
  await mkdir(bin);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function executable(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
}

function gate(name: string, argv: string[], required = true): GateSpec {
  return { name, kind: name, argv, required, timeoutMs: 1000, source: 'test' };
}

describe('missingRequiredTool', () => {
  it('names the first required gate whose executable is on no PATH directory', async () => {
    await executable(join(bin, 'pytest-like'));
    const gates = [
      gate('test', ['pytest-like']),
      gate('style', ['omk-no-such-linter-7f3a'], false),
      gate('lint', ['omk-no-such-ruff-7f3a', 'check', '.']),
    ];
    expect(await missingRequiredTool(gates, root, { PATH: bin })).toEqual({
      gate: 'lint',
      tool: 'omk-no-such-ruff-7f3a',
    });
  });

  it("finds a tool in the checkout's virtualenv, and a path in the checkout", async () => {
    await executable(join(root, '.venv', 'bin', 'ruff'));
    await executable(join(root, 'scripts', 'check'));
    const gates = [gate('lint', ['ruff', 'check', '.']), gate('test', ['./scripts/check'])];
    expect(await missingRequiredTool(gates, root, { PATH: bin })).toBeNull();
    expect(await missingRequiredTool([gate('test', ['./scripts/nothing'])], root, { PATH: bin })).toEqual({
      gate: 'test',
      tool: 'nothing',
    });
  });
});
