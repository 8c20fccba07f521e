import { describe, expect, it } from 'vitest';
import type { SliceWorkspace, WorkspacePort } from './port.js';
import { preparedFiles, preparedWorkspaces, writePreparedFiles } from './prepared-files.js';

// Stamps as the git adapter makes them: size, inode, change time; `gone` for a missing file.
const PNP = '437698:101:1765130000000000001';
const STATE = '1032:102:1765130000000000002';

describe('preparedFiles', () => {
  it('records each file the preparation added, changed or deleted, and nothing it found', () => {
    const before = { 'src/a.js': '30:7:1', 'old.txt': '5:8:1' };
    const after = { ...before, '.pnp.cjs': PNP, '.yarn/install-state.gz': STATE, 'README.md': 'gone' };
    expect(preparedFiles({}, before, after)).toEqual({
      '.pnp.cjs': PNP,
      '.yarn/install-state.gz': STATE,
      'README.md': 'gone',
    });
  });

  it("keeps an earlier preparation's file that is still as it was left, and what this one rewrote", () => {
    const earlier = { '.pnp.cjs': PNP, '.yarn/install-state.gz': STATE };
    // The next attempt's install: yarn rewrites the install state, keeps .pnp.cjs as it is.
    const before = { ...earlier };
    const after = { '.pnp.cjs': PNP, '.yarn/install-state.gz': '1032:103:1765130000000000009' };
    expect(preparedFiles(earlier, before, after)).toEqual(after);
  });

  it('drops a file written since the earlier preparation: it is the agent’s from then on', () => {
    const earlier = { '.pnp.cjs': PNP, '.yarn/install-state.gz': STATE };
    // The agent ran `yarn add lodash` (a new .pnp.cjs); a resumed run prepares again and finds it.
    const before = { '.pnp.cjs': '440001:104:1765130000000000005', '.yarn/install-state.gz': STATE };
    expect(preparedFiles(earlier, before, before)).toEqual({ '.yarn/install-state.gz': STATE });
  });

  it('drops a file the preparation put back as HEAD has it (git no longer lists it)', () => {
    const earlier = { '.pnp.cjs': PNP };
    expect(preparedFiles(earlier, { '.pnp.cjs': PNP }, {})).toEqual({});
  });

  it('takes a path named like an object property as any other', () => {
    const after = Object.fromEntries([
      ['__proto__', PNP],
      ['constructor', STATE],
    ]);
    const files = preparedFiles({}, {}, after);
    expect(Object.entries(files)).toEqual([
      ['__proto__', PNP],
      ['constructor', STATE],
    ]);
    expect(Object.getPrototypeOf(files)).toBe(Object.prototype);
  });
});

describe('preparedWorkspaces', () => {
  it("hands the capture and the reset the record of the workspace's own label", async () => {
    const texts = new Map<string, string>();
    const files = {
      readText: async (path: string) => texts.get(path) ?? null,
      writeAtomic: async (path: string, data: string | Uint8Array) => void texts.set(path, String(data)),
      makeDirs: async () => {},
    };
    await writePreparedFiles(files, '/goal/artifacts/prepare', 's1', { '.pnp.cjs': PNP });
    const seen: (SliceWorkspace['prepared'] | undefined)[] = [];
    const inner: Pick<WorkspacePort, 'capture' | 'resetToBase'> = {
      capture: async (workspace) => {
        seen.push(workspace.prepared);
        return { committed: false, headSha: workspace.baseSha, changedFiles: [], diff: '' };
      },
      resetToBase: async (workspace) => {
        seen.push(workspace.prepared);
        return { diffSaved: false, previousHead: workspace.baseSha };
      },
    };
    const workspaces = preparedWorkspaces(inner, files, '/goal/artifacts/prepare');
    const ws = (sliceId: string): SliceWorkspace => ({
      sliceId,
      path: `/state/worktrees/g/${sliceId}`,
      branch: `omk/g/${sliceId}`,
      baseSha: 'a'.repeat(40),
      mode: 'worktree',
      fallbackReason: null,
    });
    await workspaces.capture(ws('s1'), 'fix');
    await workspaces.resetToBase(ws('s1'), '/goal/artifacts/attempts/s1/attempt-1.diff');
    await workspaces.capture(ws('s2'), 'fix');
    expect(seen).toEqual([{ '.pnp.cjs': PNP }, { '.pnp.cjs': PNP }, undefined]);
  });
});
