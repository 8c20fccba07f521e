import type { Handler } from './http.js';
import { json, notFound } from './http.js';
import { repoApi, repoHtml } from './shapes.js';

const DOCS_CONTENT = 'https://docs.github.com/rest/repos/contents#get-repository-content';

/**
 * GET /repos/{owner}/{repo}/contents/{path}: a file of the bare repository at `ref` (default: its
 * default branch), base64 in `content` as GitHub sends it; 404 when there is no such file. A
 * client asking for the raw media type (`application/vnd.github.raw`, as
 * @probot/octokit-plugin-config does) gets the bytes themselves (`raw`, sent by the server).
 * Directories are not served (omk reads files only).
 */
const getContent: Handler = async (req, ctx) => {
  const path = (req.params.str('path') ?? '').replace(/^\/+|\/+$/g, '');
  const refName = req.params.str('ref') ?? (await ctx.git.defaultBranch());
  const commit = await ctx.git.resolveCommitish(refName);
  if (commit === null || path === '') return notFound(DOCS_CONTENT);
  const blob = await ctx.git.blobAt(commit, path);
  if (blob === null) return notFound(DOCS_CONTENT);
  const api = repoApi(ctx.site);
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(refName)}`;
  const html = `${repoHtml(ctx.site)}/blob/${refName}/${path}`;
  const gitUrl = `${api}/git/blobs/${blob.sha}`;
  const base64 = blob.bytes.toString('base64');
  return {
    ...json(200, {
      type: 'file',
      encoding: 'base64',
      size: blob.bytes.length,
      name: path.split('/').pop() ?? path,
      path,
      // GitHub wraps the base64 at 60 characters a line.
      content: `${base64.replace(/.{1,60}/g, '$&\n')}`,
      sha: blob.sha,
      url: self,
      git_url: gitUrl,
      html_url: html,
      download_url: `${ctx.site.url}/${ctx.site.owner}/${ctx.site.repo}/raw/${refName}/${path}`,
      _links: { self, git: gitUrl, html },
    }),
    raw: blob.bytes.toString('utf8'),
  };
};

export const contentRoutes: Record<string, Handler> = {
  'GET /repos/{owner}/{repo}/contents/{path}': getContent,
};
