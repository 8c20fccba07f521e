import { type Ctx, type Handler, json, message, notFound } from './http.js';
import { protectionBlock } from './protection.js';
import { refreshShas } from './pull-shape.js';
import { findPull } from './pulls.js';
import { type FakePull, timestamp } from './state.js';

const DOCS = 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request';

type Method = 'merge' | 'squash' | 'rebase';

const NOT_ALLOWED: Record<Method, string> = {
  merge: 'Merge commits',
  squash: 'Squash merges',
  rebase: 'Rebase merges',
};

async function commitMessage(
  ctx: Ctx,
  pull: FakePull,
  method: Method,
  title: string | undefined,
  body: string | undefined,
): Promise<string> {
  let subject: string;
  let text: string;
  if (method === 'merge') {
    subject = title ?? `Merge pull request #${pull.number} from ${ctx.site.owner}/${pull.head}`;
    text = body ?? pull.title;
  } else {
    const subjects = await ctx.git.commitSubjects(pull.baseSha, pull.headSha);
    subject = title ?? `${pull.title} (#${pull.number})`;
    text = body ?? subjects.map((s) => `* ${s}`).join('\n\n');
  }
  return text === '' ? `${subject}\n` : `${subject}\n\n${text}\n`;
}

/**
 * PUT /pulls/{n}/merge performs a real merge in the bare repo: `git merge-tree --write-tree`
 * gives the merged tree (or a conflict → 405), `git commit-tree` makes the commit (two parents
 * for `merge`; one parent for `squash` and for `rebase`, which is modelled as a squash), and
 * `git update-ref <base> <new> <old>` moves the base branch only if nobody else moved it.
 * `sha` pins the head: when the head moved, 409 as on GitHub. Protection is enforced (405).
 */
const merge: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  if (!pull) return notFound(DOCS);
  if (pull.state !== 'open') return message(405, 'Pull Request is not mergeable', DOCS);
  await refreshShas(ctx, pull);
  const headSha = await ctx.git.branchSha(pull.head);
  const baseSha = await ctx.git.branchSha(pull.base);
  if (headSha === null || baseSha === null) return message(405, 'Pull Request is not mergeable', DOCS);
  const pinned = req.body.str('sha');
  if (pinned !== undefined && pinned !== headSha) {
    return message(409, 'Head branch was modified. Review and try the merge again.', DOCS);
  }
  if (pull.draft) return message(405, 'Pull Request is still a draft', DOCS);
  const tree = await ctx.git.mergeTree(baseSha, headSha);
  if (tree === null) return message(405, 'Pull Request is not mergeable', DOCS);
  const blocked = await protectionBlock(ctx, pull, headSha, baseSha, req.login);
  if (blocked) return message(405, blocked, DOCS);

  const requested = req.body.str('merge_method');
  const method: Method = requested === 'squash' || requested === 'rebase' ? requested : 'merge';
  // GitHub refuses a method the repository does not allow (Settings → General → Pull Requests).
  if (!ctx.state.mergeMethods[method])
    return message(405, `${NOT_ALLOWED[method]} are not allowed on this repository.`, DOCS);
  const text = await commitMessage(
    ctx,
    pull,
    method,
    req.body.str('commit_title'),
    req.body.str('commit_message'),
  );
  const parents = method === 'merge' ? [baseSha, headSha] : [baseSha];
  const commit = await ctx.git.commitTree(tree, parents, text);
  if (!(await ctx.git.updateRef(`refs/heads/${pull.base}`, commit, baseSha))) {
    return message(405, 'Base branch was modified. Review and try the merge again.', DOCS);
  }
  const now = timestamp();
  Object.assign(pull, {
    state: 'closed',
    merged: true,
    mergedAt: now,
    closedAt: now,
    updatedAt: now,
    mergedBy: req.login,
    mergeCommitSha: commit,
    headSha,
    baseSha,
  } satisfies Partial<FakePull>);
  return json(200, { sha: commit, merged: true, message: 'Pull Request successfully merged' });
};

export const mergeRoutes: Record<string, Handler> = {
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': merge,
};
