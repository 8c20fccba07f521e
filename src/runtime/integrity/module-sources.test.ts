import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { writingCache } from './cache-writers.js';
import {
  escapeModulePath,
  goModCache,
  goSumFiles,
  goSumModules,
  watchModuleSources,
} from './module-sources.js';

const integrity = { stateTree };
let dir: string;
let modCache: string;
let cacheDir: string;

const GO_SUM = [
  'github.com/BurntSushi/toml v1.3.2 h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGnpq14C4YWiu/gL8=',
  'github.com/BurntSushi/toml v1.3.2/go.mod h1:CxXYINrC8qIiEnFrOxCa7Jy5BFHlXnUU2pbicEuybxQ=',
  'golang.org/x/text v0.3.0/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=',
  'example.com/geom v1.0.0 h1:abc=',
  'example.com/geom v1.0.0/go.mod h1:def=',
  '',
].join('\n');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-module-sources-'));
  modCache = join(dir, 'mod');
  cacheDir = join(dir, 'state', 'cache', 'goal-1');
  for (const module of ['github.com/!burnt!sushi/toml@v1.3.2', 'example.com/geom@v1.0.0']) {
    await mkdir(join(modCache, module), { recursive: true });
    await writeFile(join(modCache, module, 'a.go'), 'package a\n');
  }
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Go's module sources named by go.sum", () => {
  it('are the modules of its source lines, not of its go.mod lines, escaped as Go stores them', () => {
    expect(goSumModules(GO_SUM)).toEqual(['github.com/BurntSushi/toml@v1.3.2', 'example.com/geom@v1.0.0']);
    expect(escapeModulePath('github.com/BurntSushi/toml@v1.3.2')).toBe('github.com/!burnt!sushi/toml@v1.3.2');
    expect(goSumFiles(['go.mod', 'go.sum', 'tools/go.sum', 'docs/go.sum.md'])).toEqual([
      'go.sum',
      'tools/go.sum',
    ]);
  });

  it("are looked for where a gate's go looks: GOMODCACHE, else GOPATH's first entry, else HOME's go", () => {
    expect(goModCache({ GOMODCACHE: '/m', GOPATH: '/p', HOME: '/h' })).toBe('/m');
    expect(goModCache({ GOPATH: '/p:/q', HOME: '/h' })).toBe('/p/pkg/mod');
    expect(goModCache({ HOME: '/h' })).toBe('/h/go/pkg/mod');
    expect(goModCache({})).toBeNull();
  });

  it('names each module whose files were written, not one the run downloaded', async () => {
    const sources = {
      modules: [...goSumModules(GO_SUM), 'example.com/lint@v0.1.0', 'example.com/geom@v1.0.0'],
      modCache,
    };
    const quiet = await watchModuleSources(integrity, sources, cacheDir);
    expect(await quiet.check()).toEqual([]);
    const watch = await watchModuleSources(integrity, sources, cacheDir);
    await writeFile(join(modCache, 'github.com/!burnt!sushi/toml@v1.3.2', 'a.go'), 'package a // edited\n');
    await writeFile(join(modCache, 'example.com/geom@v1.0.0', 'b.go'), 'package a\n');
    await mkdir(join(modCache, 'example.com/lint@v0.1.0'), { recursive: true });
    await writeFile(join(modCache, 'example.com/lint@v0.1.0', 'l.go'), 'package l\n');
    expect(await watch.check()).toEqual([
      { what: 'example.com/geom@v1.0.0', change: 'changed', module: '1 file (1 added): b.go' },
      { what: 'github.com/BurntSushi/toml@v1.3.2', change: 'changed', module: '1 file (1 changed): a.go' },
    ]);
  });

  it('compares nothing for a run a gate or preparation of the goal overlapped', async () => {
    const watch = await watchModuleSources(integrity, { modules: goSumModules(GO_SUM), modCache }, cacheDir);
    await writingCache(cacheDir, () => writeFile(join(modCache, 'example.com/geom@v1.0.0', 'a.go'), '\n'));
    expect(await watch.check()).toEqual([]);
  });
});
