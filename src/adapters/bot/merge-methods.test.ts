import { describe, expect, it } from 'vitest';
import type { MergeMethod } from '../../runtime/app/index.js';
import type { RepoRef } from './github.js';
import { AllowedMergeMethods } from './merge-methods.js';

const repo = (name: string): RepoRef => ({
  owner: 'o',
  name,
  fullName: `o/${name}`,
  apiUrl: 'http://127.0.0.1:1',
  serverUrl: 'http://127.0.0.1:1',
  defaultBranch: 'main',
  installationId: undefined,
});

describe('AllowedMergeMethods', () => {
  it('asks GitHub once per repository within the time it is kept, and again after', async () => {
    const asked: string[] = [];
    const answers: MergeMethod[][] = [['squash'], ['rebase'], ['merge']];
    const gh = {
      allowedMergeMethods: async (r: RepoRef) => {
        asked.push(r.fullName);
        return answers.shift() ?? [];
      },
    };
    const cache = new AllowedMergeMethods(60_000);
    expect(await cache.of(gh, repo('a'), 0)).toEqual(['squash']);
    expect(await cache.of(gh, repo('a'), 60_000)).toEqual(['squash']);
    expect(await cache.of(gh, repo('b'), 1_000)).toEqual(['rebase']);
    expect(await cache.of(gh, repo('a'), 60_001)).toEqual(['merge']);
    expect(asked).toEqual(['o/a', 'o/b', 'o/a']);
  });
});
