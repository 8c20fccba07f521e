import { describe, expect, it } from 'vitest';
import { pnpmRecursiveRun } from './pnpm-recursive.js';

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
