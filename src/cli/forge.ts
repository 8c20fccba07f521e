import { createLocalForge } from '../adapters/local-forge/forge.js';
import { type GoalRecord, UsageError } from '../runtime/app/index.js';
import type { Forge } from '../runtime/app/ports.js';
import type { CliIo } from './context.js';

export const FORGE_CHOICES = ['auto', 'local', 'github'] as const;

/**
 * The forge for a goal: `local` (no network: the repository is the forge) or `github`. `auto`
 * picks GitHub only when a token is present; the CLI never reaches the network otherwise.
 */
export async function chooseForge(
  io: CliIo,
  goal: GoalRecord,
  stateRoot: string,
  flag: string | undefined,
): Promise<Forge> {
  const choice = flag ?? 'auto';
  if (!(FORGE_CHOICES as readonly string[]).includes(choice)) {
    throw new UsageError(`--forge: '${choice}' is not one of ${FORGE_CHOICES.join(', ')}.`, {
      hint: 'Example: --forge local',
    });
  }
  const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (choice === 'github' || (choice === 'auto' && token)) {
    const { createCliGitHubForge } = await import('./github-forge.js');
    return createCliGitHubForge(io, goal);
  }
  return createLocalForge({ repoRoot: goal.repo.root, stateRoot });
}
