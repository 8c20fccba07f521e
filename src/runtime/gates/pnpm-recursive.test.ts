import { describe, expect, it } from 'vitest';
import { inWorkspace, pnpmRecursiveRun } from './pnpm-recursive.js';

describe('pnpmRecursiveRun', () => {
  it.each([
    ['pnpm -r test', { script: 'test', bails: true, viaRun: false }],
    ['pnpm run -r test', { script: 'test', bails: true, viaRun: true }],
    ['pnpm --recursive run test', { script: 'test', bails: true, viaRun: true }],
    ['pnpm -r --parallel test', { script: 'test', bails: true, viaRun: false }],
    ['pnpm -r --filter ./packages/** test', { script: 'test', bails: true, viaRun: false }],
    ['pnpm -r --no-bail test', { script: 'test', bails: false, viaRun: false }],
  ])('reads %s as a run of each workspace package’s script', (body, expected) => {
    expect(pnpmRecursiveRun(body)).toEqual(expected);
  });

  it.each(['pnpm vitest run src', 'vitest run', 'pnpm test', 'pnpm -r build && pnpm -r test', 'npm -r test'])(
    'reads nothing in %s',
    (body) => {
      expect(pnpmRecursiveRun(body)).toBeNull();
    },
  );
});

describe('inWorkspace', () => {
  const manifests = [
    'docs/package.json',
    'packages/game/package.json',
    'packages/game/test/fixtures/app/package.json',
    'packages/ui/package.json',
    'playground/alias/package.json',
    'playground/alias/dir/package.json',
    'playground/ssr/__tests__/package.json',
  ];

  it("keeps the packages pnpm-workspace.yaml's globs name: * one directory, ** any depth, ! leaves out", () => {
    // vitejs/vite's shape: packages and a playground of nested packages, tests' fixtures left out.
    const yaml = [
      'packages:',
      "  - 'packages/*'",
      '  # every playground',
      '  - "playground/**"',
      "  - '!**/__tests__'",
      '',
      'onlyBuiltDependencies:',
      '  - esbuild',
      '',
    ].join('\n');
    expect(inWorkspace(manifests, yaml)).toEqual([
      'packages/game/package.json',
      'packages/ui/package.json',
      'playground/alias/package.json',
      'playground/alias/dir/package.json',
    ]);
  });

  it('keeps them all when the file has no block list omk reads: more than pnpm runs, never fewer', () => {
    expect(inWorkspace(manifests, 'packages: [packages/*]\n')).toEqual(manifests);
    expect(inWorkspace(manifests, null)).toEqual(manifests);
  });
});
