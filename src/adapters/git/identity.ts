/** Who omk's own commits (captures, integration merges) are by. */
export interface GitIdentity {
  name: string;
  email: string;
}

export const DEFAULT_IDENTITY: GitIdentity = { name: 'omk', email: 'omk@localhost' };

/**
 * Environment for committing: the variables beat any repository or global identity, so commits
 * work on hosts with no identity configured and always say they were made by omk.
 */
export function commitEnv(identity: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

/**
 * Config for every committing command: a signing key or a rerere cache on the user's machine must
 * neither block an unattended commit nor silently resolve a conflict for us; and git's automatic
 * housekeeping after each commit or merge (`maintenance run --auto`, `gc --auto` before git 2.29)
 * is left to the user's own next commit instead of starting one more process per slice.
 */
export const COMMIT_CONFIG: readonly string[] = [
  '-c',
  'commit.gpgsign=false',
  '-c',
  'rerere.enabled=false',
  '-c',
  'maintenance.auto=false',
  '-c',
  'gc.auto=0',
];
