import type { Forge } from '../runtime/forge/port.js';
import { createLocalForge } from './local-forge/forge.js';

export const FORGE_CHOICES = ['auto', 'local', 'github'] as const;
export type ForgeChoice = (typeof FORGE_CHOICES)[number];

export interface ForgeChoiceInput {
  choice: ForgeChoice;
  /** The goal's repository: the local forge's repository, the GitHub forge's origin. */
  repoRoot: string;
  /** Where the local forge keeps its pull requests. */
  stateRoot: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The forge on a developer's machine: `local` (no network: the repository is the forge) or
 * `github`. `auto` picks GitHub only when a token is present, so nothing reaches the network
 * otherwise. The GitHub stack (Octokit) is loaded only when it is chosen.
 */
export async function chooseForge(input: ForgeChoiceInput): Promise<Forge> {
  const token = input.env.GITHUB_TOKEN ?? input.env.GH_TOKEN;
  if (input.choice === 'github' || (input.choice === 'auto' && token)) {
    const { composeGitHubForge } = await import('./github/compose.js');
    return composeGitHubForge({ repoRoot: input.repoRoot, env: input.env });
  }
  return createLocalForge({ repoRoot: input.repoRoot, stateRoot: input.stateRoot });
}
