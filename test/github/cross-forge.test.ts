import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import {
  createGitHubEnv,
  demoRunArgs,
  type GitHubEnv,
  OWNER,
  pullsOf,
  REPO,
  TOKEN,
} from '../helpers/github.js';

let gh: GitHubEnv;

beforeAll(async () => {
  gh = await createGitHubEnv();
}, 120_000);
afterAll(async () => {
  await gh.cleanup();
});

describe('delivery records belong to one forge and repository', () => {
  it("never updates someone else's PR with numbers recorded on another forge", async () => {
    // Someone's PR #1 on GitHub, from a branch with a commit of theirs (made in the bare repository
    // directly: no request reaches the fake server, so a sync git is fine here).
    const bare = gh.repo.origin;
    const identity = {
      GIT_AUTHOR_NAME: 'them',
      GIT_AUTHOR_EMAIL: 't@x.invalid',
      GIT_COMMITTER_NAME: 'them',
      GIT_COMMITTER_EMAIL: 't@x.invalid',
    };
    const tree = git(bare, 'rev-parse', 'main^{tree}');
    const commit = execFileSync(
      'git',
      ['commit-tree', tree, '-p', git(bare, 'rev-parse', 'main'), '-m', 'their change'],
      {
        cwd: bare,
        env: { ...process.env, ...identity },
        encoding: 'utf8',
      },
    ).trim();
    git(bare, 'update-ref', 'refs/heads/their-feature', commit);
    const theirs = await fetch(`${gh.server.url}/repos/${OWNER}/${REPO}/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Their feature', head: 'their-feature', base: 'main', body: 'theirs' }),
    });
    expect(theirs.status).toBe(201);
    const local = await gh.omk(...demoRunArgs({ mergePolicy: null, forge: 'local' }));
    expect(local.code, local.stderr).toBe(0);
    const id = (JSON.parse(local.stdout) as { goal: { id: string } }).goal.id;
    const before = new Map(pullsOf(gh.server).map((pull) => [pull.number, pull.title]));
    const remote = await gh.omk('goal', 'open-pr', id, '--forge', 'github', '--format', 'json');
    expect(remote.code, remote.stderr).toBe(0);
    expect(before.get(1)).toBe('Their feature');
    for (const [number, title] of before)
      expect(pullsOf(gh.server).find((p) => p.number === number)?.title).toBe(title);
    const opened = pullsOf(gh.server).filter((pull) => pull.head.startsWith(`omk/${id}/`));
    expect(opened).toHaveLength(3);
    gh.server.assertClean();
  }, 120_000);
});
