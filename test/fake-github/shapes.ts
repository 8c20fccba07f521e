/**
 * GitHub-shaped users and repositories. The OpenAPI schemas require every URL field, so these
 * builders fill them all; the fake serves the API at the root of its origin (`url`), git at
 * `${url}/<owner>/<repo>.git`, and uses the same origin for `html_url`s.
 */

export interface Site {
  /** http://127.0.0.1:PORT, the API base URL. */
  url: string;
  owner: string;
  repo: string;
}

const CREATED = '2024-01-01T00:00:00Z';

/** Stable small ids per login, so one user has one id across responses. */
function userId(login: string): number {
  let hash = 7;
  for (const ch of login) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) % 1_000_000;
  return 10_000 + hash;
}

export function nodeId(kind: string, id: number): string {
  return `${kind}_${Buffer.from(`fake:${kind}:${id}`).toString('base64url')}`;
}

export function simpleUser(site: Site, login: string) {
  const id = userId(login);
  const api = `${site.url}/users/${encodeURIComponent(login)}`;
  const isBot = login.endsWith('[bot]');
  const html = isBot ? `${site.url}/apps/${encodeURIComponent(login.slice(0, -5))}` : `${site.url}/${login}`;
  return {
    login,
    id,
    node_id: nodeId(isBot ? 'BOT' : 'U', id),
    avatar_url: `${site.url}/avatars/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: html,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: isBot ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

export function repoApi(site: Site): string {
  return `${site.url}/repos/${site.owner}/${site.repo}`;
}

export function repoHtml(site: Site): string {
  return `${site.url}/${site.owner}/${site.repo}`;
}

/** The fields `minimal-repository` requires (mostly URL templates). */
export function minimalRepository(site: Site) {
  const api = repoApi(site);
  const id = userId(`${site.owner}/${site.repo}`);
  return {
    id,
    node_id: nodeId('R', id),
    name: site.repo,
    full_name: `${site.owner}/${site.repo}`,
    owner: simpleUser(site, site.owner),
    private: true,
    html_url: repoHtml(site),
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
  };
}

export interface RepoFacts {
  defaultBranch: string;
  openIssues: number;
  pushedAt: string;
  /** Permissions of the authenticated user. */
  permission: string;
  mergeMethods: { merge: boolean; squash: boolean; rebase: boolean };
}

function permissionFlags(permission: string) {
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(permission);
  return { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 };
}

/** The `repository` schema (used in pull request head/base). */
export function repository(site: Site, facts: RepoFacts) {
  const html = repoHtml(site);
  const host = new URL(site.url).host;
  return {
    ...minimalRepository(site),
    clone_url: `${html}.git`,
    git_url: `git://${host}/${site.owner}/${site.repo}.git`,
    ssh_url: `git@${host}:${site.owner}/${site.repo}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    size: 0,
    default_branch: facts.defaultBranch,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: facts.openIssues,
    open_issues_count: facts.openIssues,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'private',
    is_template: false,
    topics: [],
    allow_forking: false,
    web_commit_signoff_required: false,
    pushed_at: facts.pushedAt,
    created_at: CREATED,
    updated_at: facts.pushedAt,
    permissions: permissionFlags(facts.permission),
  };
}

/** The `full-repository` schema (GET /repos/{owner}/{repo}). */
export function fullRepository(site: Site, facts: RepoFacts) {
  return {
    ...repository(site, facts),
    network_count: 0,
    subscribers_count: 0,
    allow_merge_commit: facts.mergeMethods.merge,
    allow_squash_merge: facts.mergeMethods.squash,
    allow_rebase_merge: facts.mergeMethods.rebase,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_update_branch: false,
    use_squash_pr_title_as_default: false,
    squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
    squash_merge_commit_message: 'COMMIT_MESSAGES',
    merge_commit_title: 'MERGE_MESSAGE',
    merge_commit_message: 'PR_TITLE',
  };
}

/** The `nullable-integration` GitHub Actions' token acts as (check runs' `app`). */
/** The app a check run was created by (GitHub's `app`, an `integration`). */
export interface FakeApp {
  id: number;
  slug: string;
  name: string;
}

/** The GitHub Actions app: what a workflow's `GITHUB_TOKEN` creates check runs as. */
export const ACTIONS_APP: FakeApp = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };

export function actionsApp(site: Site) {
  return appJson(site, ACTIONS_APP);
}

export function appJson(site: Site, app: FakeApp) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('A', app.id),
    owner: simpleUser(site, app.id === ACTIONS_APP.id ? 'github' : site.owner),
    name: app.name,
    description: app.id === ACTIONS_APP.id ? 'Automate your workflow from idea to production' : null,
    external_url: app.id === ACTIONS_APP.id ? `${site.url}/features/actions` : `${site.url}/${app.slug}`,
    html_url: `${site.url}/apps/${app.slug}`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2019-12-10T19:04:12Z',
    permissions: { checks: 'write', contents: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push'],
  };
}
