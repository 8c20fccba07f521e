import type { BotCommand } from './command.js';

/**
 * Who may do what. Starting or changing a goal needs write, maintain or admin on the repository;
 * reading a goal (status, proof, budget) needs read; help needs nothing.
 */
export type Access = 'none' | 'read' | 'write';

export function requiredAccess(command: BotCommand): Access {
  switch (command.kind) {
    case 'help':
      return 'none';
    case 'status':
    case 'proof':
      return 'read';
    case 'budget':
      return command.add === null ? 'read' : 'write';
    default:
      return 'write';
  }
}

const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);
const READ_ROLES = new Set([...WRITE_ROLES, 'triage', 'read']);

/**
 * The access a collaborator has, from GitHub's answer: `permission` is coarse (maintain reads as
 * write, triage as read) and `role_name` exact, possibly a custom role; either may grant write.
 */
export function accessOf(answer: { permission: string; roleName: string | null }): Access {
  const { permission, roleName } = answer;
  if (WRITE_ROLES.has(permission) || (roleName !== null && WRITE_ROLES.has(roleName))) return 'write';
  if (READ_ROLES.has(permission) || (roleName !== null && READ_ROLES.has(roleName))) return 'read';
  return 'none';
}

export function allows(have: Access, need: Access): boolean {
  const rank: Record<Access, number> = { none: 0, read: 1, write: 2 };
  return rank[have] >= rank[need];
}

/** Bots are ignored (the app itself included, so it never answers itself) unless allowlisted. */
export function obeysSender(sender: { login: string; type: string }, allowBots: readonly string[]): boolean {
  return sender.type !== 'Bot' || allowBots.includes(sender.login);
}
