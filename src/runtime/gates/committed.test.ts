import { describe, expect, it } from 'vitest';
import { gatesConfigSchema } from '../config/schema.js';
import type { CommittedFiles } from '../ports.js';
import { readCommittedTree } from './committed.js';
import { detectGatesIn } from './detect.js';

/** A commit's files as git would give them: each asked path's text, null when not committed. */
function commit(tree: Record<string, string>) {
  const asked: string[][] = [];
  const repo = {
    readCommitted: async (_root: string, _sha: string, paths: readonly string[]): Promise<CommittedFiles> => {
      asked.push([...paths]);
      return {
        files: Object.keys(tree).sort(),
        texts: new Map(paths.map((path) => [path, tree[path] ?? null])),
        changed: [],
      };
    },
  };
  return { repo, asked };
}

const scripts = (test: string) => JSON.stringify({ scripts: { test } });

describe('readCommittedTree', () => {
  it("reads a pnpm workspace's package.json files as committed: what `pnpm -r test` runs in each", async () => {
    const { repo, asked } = commit({
      'package.json': scripts('pnpm -r test'),
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n',
      'packages/game/package.json': scripts('vitest run'),
      'packages/game/src/bid.test.js': '',
    });
    const { context } = await readCommittedTree(repo, '/repo', 'a'.repeat(40));
    expect(asked[1]).toEqual(['packages/game/package.json']);
    const test = detectGatesIn(context, { gates: gatesConfigSchema.parse({}) }).find(
      (gate) => gate.name === 'test',
    );
    expect(test?.report).toEqual({ format: 'console', args: ['--', '--reporter=verbose'] });
  });

  it('reads no package.json below the root outside a pnpm workspace', async () => {
    const { repo, asked } = commit({
      'package.json': scripts('vitest run'),
      'fixtures/app/package.json': scripts('node --test'),
    });
    await readCommittedTree(repo, '/repo', 'a'.repeat(40));
    expect(asked).toHaveLength(1);
  });
});
