import { describe, expect, it } from 'vitest';
import { createDetectContext, treeDetectContext } from './detector.js';
import { NODE_MANIFEST_READS, nodeManifest } from './node-manifest.js';

/** A context over `files`, read from texts in memory (package.json's among them). */
function tree(files: Readonly<Record<string, string>>) {
  const context = createDetectContext('/nowhere', Object.keys(files));
  return { ...context, read: (path: string) => files[path] ?? null };
}

const pkg = JSON.stringify({
  scripts: { format: 'prettier --check .' },
  dependencies: { lodash: '^4' },
  devDependencies: { prettier: '^3', eslint: '^9' },
  optionalDependencies: { fsevents: '^2' },
});

describe('nodeManifest', () => {
  it('declares every (dev, optional) dependency, with the install its lock file keeps', () => {
    const npm = nodeManifest(tree({ 'package.json': pkg, 'package-lock.json': '{}' }));
    expect(npm).toEqual({
      declared: new Set(['lodash', 'prettier', 'eslint', 'fsevents']),
      install: 'npm ci',
    });
    expect(nodeManifest(tree({ 'package.json': pkg, 'npm-shrinkwrap.json': '{}' }))?.install).toBe('npm ci');
    expect(nodeManifest(tree({ 'package.json': pkg, 'pnpm-lock.yaml': '' }))?.install).toBe(
      'pnpm install --frozen-lockfile',
    );
    expect(nodeManifest(tree({ 'package.json': pkg, 'yarn.lock': '' }))?.install).toBe(
      'yarn install --frozen-lockfile',
    );
    expect(nodeManifest(tree({ 'package.json': pkg }))?.install).toBe('npm install');
    expect(nodeManifest(tree({ 'package.json': pkg }))).not.toHaveProperty('unpinned');
    // A pnpm project without its lockfile: pnpm's install, and a word on what that resolves.
    const pnpm = JSON.stringify({ ...JSON.parse(pkg), packageManager: 'pnpm@9.15.9' });
    expect(nodeManifest(tree({ 'package.json': pnpm }))).toMatchObject({
      install: 'pnpm install',
      unpinned:
        'a pnpm project (packageManager "pnpm@9.15.9") without pnpm-lock.yaml: a worktree that cannot reuse your ' +
        "checkout's node_modules installs with `pnpm install --lockfile=false`, which writes no lockfile into the change " +
        'but takes the newest versions package.json allows, so its dependencies may differ from yours',
    });
    expect(
      nodeManifest(tree({ 'package.json': pkg, 'pnpm-workspace.yaml': 'packages: ["packages/*"]\n' }))
        ?.unpinned,
    ).toContain('a pnpm project (pnpm-workspace.yaml) without pnpm-lock.yaml');
    // Yarn Berry (a .yarnrc.yml, or packageManager yarn@2+): --frozen-lockfile is Yarn 1's, deprecated there.
    const berry = tree({ 'package.json': pkg, 'yarn.lock': '', '.yarnrc.yml': 'nodeLinker: node-modules\n' });
    expect(nodeManifest(berry)?.install).toBe('yarn install --immutable');
    const managed = JSON.stringify({ ...JSON.parse(pkg), packageManager: 'yarn@4.5.1' });
    expect(nodeManifest(tree({ 'package.json': managed, 'yarn.lock': '' }))?.install).toBe(
      'yarn install --immutable',
    );
  });

  it('reads only NODE_MANIFEST_READS: a committed tree read with them serves it (a Yarn Berry one too)', () => {
    const files = ['package.json', 'yarn.lock', '.yarnrc.yml'];
    const texts = new Map<string, string | null>([
      ['package.json', pkg],
      ['.yarnrc.yml', 'yarnPath: .yarn/releases/yarn-4.5.1.cjs\n'],
    ]);
    const committed = treeDetectContext(
      files,
      new Map(NODE_MANIFEST_READS.map((path) => [path, texts.get(path) ?? null])),
    );
    expect(nodeManifest(committed)?.install).toBe('yarn install --immutable');
    // Nor any other Berry sign but its lockfile (Berry's `__metadata:` block).
    const lockOnly = treeDetectContext(
      ['package.json', 'yarn.lock'],
      new Map(
        NODE_MANIFEST_READS.map((path) => [
          path,
          (
            { 'package.json': pkg, 'yarn.lock': '__metadata:\n  version: 8\n  cacheKey: 10c0\n' } as Record<
              string,
              string
            >
          )[path] ?? null,
        ]),
      ),
    );
    expect(nodeManifest(lockOnly)?.install).toBe('yarn install --immutable');
  });

  it('is null without a readable package.json', () => {
    expect(nodeManifest(tree({}))).toBeNull();
    expect(nodeManifest(tree({ 'package.json': '{ not json' }))).toBeNull();
  });
});
