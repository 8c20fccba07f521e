import type { AppDeps, Env, HostVocabulary } from '../../runtime/app/index.js';
import type { Reporter } from '../../runtime/app/ports.js';
import { githubAppDeps, publishThroughForge } from '../github/app-deps.js';
import { executionHostFor, forgeFor } from './forge.js';
import type { BotGitHub, RepoRef } from './github.js';
import type { Workspace } from './workspace.js';

/**
 * The use cases' dependencies over one bot job's workspace: its checkout and store, worktrees on
 * this machine, the repository's forge with a fresh token. Pause and cancel from comments reach a
 * run through its store (the bot's runs in this process), so nothing is watched on the state
 * branch here.
 */
export function botAppDeps(
  ws: Workspace,
  target: { gh: BotGitHub; repo: RepoRef },
  host: { reporter: Reporter; env: Env; words: HostVocabulary },
): AppDeps {
  return githubAppDeps({
    ...host,
    store: ws.store,
    execution: executionHostFor(host.env),
    // Anyone who can push .omk/config.yml would otherwise choose what runs with the bot's credentials.
    repoCustomAgents: 'untrusted',
    forge: () => forgeFor(target.gh, target.repo),
    // Each finished slice's branch goes to the repository at once: a resume in a fresh clone
    // (after a pause or a restart) builds on it and integrates it.
    publishBranch: publishThroughForge(() => forgeFor(target.gh, target.repo), ws.repoRoot),
  });
}
