import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileState, findOnPath } from './path-lookup.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-path-'));
  await mkdir(join(dir, 'a'));
  await mkdir(join(dir, 'b'));
  await mkdir(join(dir, 'b', 'tool-dir'));
  await writeFile(join(dir, 'a', 'tool'), 'not executable\n');
  await writeFile(join(dir, 'b', 'tool'), '#!/bin/sh\n');
  await chmod(join(dir, 'b', 'tool'), 0o755);
  await symlink(join(dir, 'b', 'tool'), join(dir, 'a', 'linked'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findOnPath', () => {
  it('returns the first executable file, skipping non-executable ones and directories', async () => {
    const PATH = [join(dir, 'a'), join(dir, 'b')].join(':');
    expect(await findOnPath('tool', { PATH }, 'linux')).toBe(join(dir, 'b', 'tool'));
    expect(await findOnPath('tool-dir', { PATH }, 'linux')).toBeNull();
    expect(await findOnPath('linked', { PATH }, 'linux')).toBe(join(dir, 'a', 'linked'));
    expect(await findOnPath('absent', { PATH }, 'linux')).toBeNull();
  });

  it('skips empty and relative PATH entries and never treats a path as a command name', async () => {
    expect(await findOnPath('tool', { PATH: `:b:./b:${join(dir, 'a')}` }, 'linux')).toBeNull();
    expect(await findOnPath('b/tool', { PATH: dir }, 'linux')).toBeNull();
    expect(await findOnPath('', { PATH: join(dir, 'b') }, 'linux')).toBeNull();
    expect(await findOnPath('tool', {}, 'linux')).toBeNull();
  });
});

describe('fileState', () => {
  it('tells missing, directory, non-executable and executable apart', async () => {
    expect(await fileState(join(dir, 'nope'))).toBe('missing');
    expect(await fileState(join(dir, 'b', 'tool-dir'))).toBe('not-file');
    expect(await fileState(join(dir, 'a', 'tool'))).toBe('not-executable');
    expect(await fileState(join(dir, 'b', 'tool'))).toBe('ok');
  });
});
