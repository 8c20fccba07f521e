import type { RepoCoordinates } from '../../runtime/forge/port.js';
import { createOctokit, DEFAULT_API_URL } from './octokit.js';

const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

export interface WriteAccess {
  allowed: boolean;
  /** The role GitHub names (`role_name`, else the coarse `permission`), for the message. */
  role: string;
}

/**
 * Whether `login` may change the repository: write, maintain or admin, asked of the API
 * (repos/get-collaborator-permission-level), never read from an event's `author_association`
 * (an organization member with read access is a MEMBER there). `permission` is coarse (maintain
 * reads as write) and `role_name` exact, possibly a custom role; either may grant write.
 */
export async function writeAccess(
  input: { token: string; repo: RepoCoordinates; env: Readonly<Record<string, string | undefined>> },
  login: string,
): Promise<WriteAccess> {
  const octokit = createOctokit({
    token: input.token,
    baseUrl: input.env.GITHUB_API_URL ?? DEFAULT_API_URL,
    request: { fetch: globalThis.fetch },
  });
  const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
    owner: input.repo.owner,
    repo: input.repo.name,
    username: login,
  });
  const roleName = data.role_name ?? null;
  const allowed = WRITE_ROLES.has(data.permission) || (roleName !== null && WRITE_ROLES.has(roleName));
  return { allowed, role: roleName ?? data.permission };
}
