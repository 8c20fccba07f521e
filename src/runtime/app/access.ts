/**
 * Who may do what to a goal from a forge thread. Starting or changing a goal needs write,
 * maintain or admin on the repository; reading one (status, proof, budget) needs read; help needs
 * nothing. Bots are obeyed only when allowlisted (so an app never answers itself).
 */
export type Access = 'none' | 'read' | 'write';

/** A goal verb as a thread states it; `add` is a budget verb's extension (null: only show it). */
export interface AccessRequest {
  kind: string;
  add?: unknown;
}

/** What a collaborator's permission lookup answered: `permission` coarse, `roleName` exact. */
export interface PermissionAnswer {
  permission: string;
  roleName: string | null;
}

/** Whether the request may go ahead, or the access it needs that the person lacks. */
export type AccessVerdict = { allowed: true } | { allowed: false; need: Access };

export function requiredAccess(request: AccessRequest): Access {
  switch (request.kind) {
    case 'help':
      return 'none';
    case 'status':
    case 'proof':
      return 'read';
    case 'budget':
      return request.add === null || request.add === undefined ? 'read' : 'write';
    default:
      return 'write';
  }
}

const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);
const READ_ROLES = new Set([...WRITE_ROLES, 'triage', 'read']);

/**
 * The access a collaborator has: `permission` is coarse (maintain reads as write, triage as read)
 * and `roleName` exact, possibly a custom role; either may grant write.
 */
export function accessOf(answer: PermissionAnswer): Access {
  const { permission, roleName } = answer;
  if (WRITE_ROLES.has(permission) || (roleName !== null && WRITE_ROLES.has(roleName))) return 'write';
  if (READ_ROLES.has(permission) || (roleName !== null && READ_ROLES.has(roleName))) return 'read';
  return 'none';
}

export function allows(have: Access, need: Access): boolean {
  const rank: Record<Access, number> = { none: 0, read: 1, write: 2 };
  return rank[have] >= rank[need];
}

/** May the person whose permission is `answer` make `request`? */
export function accessVerdict(request: AccessRequest, answer: PermissionAnswer): AccessVerdict {
  const need = requiredAccess(request);
  return allows(accessOf(answer), need) ? { allowed: true } : { allowed: false, need };
}

/** Bots are ignored (the app itself included, so it never answers itself) unless allowlisted. */
export function obeysSender(sender: { login: string; type: string }, allowBots: readonly string[]): boolean {
  return sender.type !== 'Bot' || allowBots.includes(sender.login);
}
