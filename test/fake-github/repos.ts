import { type Ctx, type Handler, isRecord, json, message, noContent, notFound } from './http.js';
import { repoFacts } from './pull-shape.js';
import { fullRepository, repoApi, simpleUser } from './shapes.js';
import type { FakeProtection, Permission } from './state.js';

const DOCS_PROTECTION = 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection';
const DOCS_REF = 'https://docs.github.com/rest/git/refs#get-a-reference';
const DOCS_DISPATCH = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';

const getRepo: Handler = async (req, ctx) =>
  json(200, fullRepository(ctx.site, await repoFacts(ctx, req.login)));

const getRef: Handler = async (req, ctx) => {
  const ref = `refs/${req.params.str('ref') ?? ''}`;
  const sha = await ctx.git.resolveRef(ref);
  if (sha === null) return notFound(DOCS_REF);
  const api = repoApi(ctx.site);
  return json(200, {
    ref,
    node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
    url: `${api}/git/${ref}`,
    object: { type: await ctx.git.objectType(sha), sha, url: `${api}/git/commits/${sha}` },
  });
};

function protectionJson(ctx: Ctx, branch: string, rules: FakeProtection) {
  const url = `${repoApi(ctx.site)}/branches/${encodeURIComponent(branch)}/protection`;
  const off = { enabled: false };
  return {
    url,
    ...(rules.requiredContexts.length === 0
      ? {}
      : {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            strict: rules.strict ?? false,
            contexts: rules.requiredContexts,
            contexts_url: `${url}/required_status_checks/contexts`,
            checks: rules.requiredContexts.map((context) => ({ context, app_id: null })),
          },
        }),
    ...(rules.requiredApprovals === 0
      ? {}
      : {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: false,
            require_code_owner_reviews: false,
            required_approving_review_count: rules.requiredApprovals,
            require_last_push_approval: false,
          },
        }),
    enforce_admins: { url: `${url}/enforce_admins`, enabled: rules.enforceAdmins ?? true },
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
    required_linear_history: off,
    allow_force_pushes: off,
    allow_deletions: off,
    block_creations: off,
    required_conversation_resolution: off,
    lock_branch: off,
    allow_fork_syncing: off,
  };
}

const getProtection: Handler = async (req, ctx) => {
  const branch = req.params.str('branch') ?? '';
  if ((await ctx.git.branchSha(branch)) === null) return message(404, 'Branch not found', DOCS_PROTECTION);
  const rules = ctx.state.protection.get(branch);
  if (rules === 'forbidden') return message(403, 'Resource not accessible by integration', DOCS_PROTECTION);
  if (!rules) return message(404, 'Branch not protected', DOCS_PROTECTION);
  return json(200, protectionJson(ctx, branch, rules));
};

/** GitHub reports maintain as write and triage as read in `permission`; `role_name` is exact. */
function coarse(permission: Permission): string {
  if (permission === 'maintain') return 'write';
  if (permission === 'triage') return 'read';
  return permission;
}

const getPermission: Handler = async (req, ctx) => {
  const login = req.params.str('username') ?? '';
  const permission = ctx.permissionOf(login);
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(permission);
  return json(200, {
    permission: coarse(permission),
    role_name: permission,
    user: {
      ...simpleUser(ctx.site, login),
      role_name: permission,
      permissions: {
        admin: rank >= 5,
        maintain: rank >= 4,
        push: rank >= 3,
        triage: rank >= 2,
        pull: rank >= 1,
      },
    },
  });
};

const dispatch: Handler = async (req, ctx) => {
  const ref = req.body.str('ref') ?? '';
  if ((await ctx.git.resolveCommitish(ref)) === null)
    return message(422, `No ref found for: ${ref}`, DOCS_DISPATCH);
  const raw = req.body.raw('inputs');
  const workflowId = req.params.raw('workflow_id');
  ctx.state.dispatches.push({
    workflowId: String(workflowId),
    ref,
    inputs: isRecord(raw) ? raw : {},
    user: req.login,
  });
  if (req.body.bool('return_run_details') !== true) return noContent();
  const runId = ctx.ids.id();
  return json(200, {
    workflow_run_id: runId,
    run_url: `${repoApi(ctx.site)}/actions/runs/${runId}`,
    html_url: `${ctx.site.url}/${ctx.site.owner}/${ctx.site.repo}/actions/runs/${runId}`,
  });
};

export const repoRoutes: Record<string, Handler> = {
  'GET /repos/{owner}/{repo}': getRepo,
  'GET /repos/{owner}/{repo}/git/ref/{ref}': getRef,
  'GET /repos/{owner}/{repo}/branches/{branch}/protection': getProtection,
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': getPermission,
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': dispatch,
};
