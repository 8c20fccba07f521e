import { describe, expect, it } from 'vitest';
import type { GateRunContext, VerifyFn } from '../gates/port.js';
import type { PrepareInput, WorkspacePreparer } from '../workspace/port.js';
import { confinedPreparer, confinedVerify, ownDownloadsPreparer } from './confined-runs.js';
import type { Confinement } from './port.js';

const CACHE = '/state/cache/g1';
const CONFINE: Confinement = { writable: [CACHE], readable: ['/state/goals/g1'] };

describe('confined gates and installs and the download caches in the goal cache', () => {
  it('a gate writes the goal cache but not its download caches', async () => {
    const seen: (Confinement | undefined)[] = [];
    const verify: VerifyFn = async (_gates, context) => {
      seen.push(context.confine);
      return [];
    };
    const context = { cwd: '/w', env: {} } as unknown as GateRunContext;
    await confinedVerify(verify, { ...CONFINE, network: 'none' }, CACHE)([], context);
    expect(seen).toEqual([{ ...CONFINE, network: 'none', readOnly: [`${CACHE}/downloads`] }]);
  });

  it("an install fills the download caches there (the environment's own choice kept)", async () => {
    const seen: PrepareInput[] = [];
    const preparer: WorkspacePreparer = {
      prepare: async (input) => {
        seen.push(input);
        return { ok: true, done: [], changed: false, env: {} };
      },
    };
    const input = { env: { YARN_CACHE_FOLDER: '/mine/yarn' } } as unknown as PrepareInput;
    await confinedPreparer(preparer, CONFINE, CACHE).prepare(input);
    expect(seen[0]?.confine).toEqual(CONFINE);
    expect(seen[0]?.env).toEqual({
      npm_config_cache: `${CACHE}/downloads/npm`,
      YARN_CACHE_FOLDER: '/mine/yarn',
      npm_config_store_dir: `${CACHE}/downloads/pnpm-store`,
      PIP_CACHE_DIR: `${CACHE}/downloads/pip`,
    });
  });

  it("the integration's installs use its download caches, confined or not (the environment's own choice kept)", async () => {
    const seen: PrepareInput[] = [];
    const preparer: WorkspacePreparer = {
      prepare: async (input) => {
        seen.push(input);
        return { ok: true, done: [], changed: false, env: {} };
      },
    };
    const own = '/state/cache/.integration/g1';
    const input = { env: { npm_config_cache: '/home/me/.npm', PATH: '/bin' } } as unknown as PrepareInput;
    await ownDownloadsPreparer(preparer, own).prepare(input);
    await confinedPreparer(ownDownloadsPreparer(preparer, own), CONFINE, own).prepare(input);
    const expected = {
      PATH: '/bin',
      npm_config_cache: '/home/me/.npm',
      YARN_CACHE_FOLDER: `${own}/downloads/yarn`,
      npm_config_store_dir: `${own}/downloads/pnpm-store`,
      PIP_CACHE_DIR: `${own}/downloads/pip`,
    };
    expect(seen.map((input) => input.env)).toEqual([expected, expected]);
  });
});
