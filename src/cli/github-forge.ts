import { composeGitHubForge } from '../adapters/github/compose.js';
import type { GoalRecord } from '../runtime/app/index.js';
import type { Forge } from '../runtime/app/ports.js';
import type { CliIo } from './context.js';

/** The GitHub forge for a goal's repository, loaded only when a command needs GitHub. */
export function createCliGitHubForge(io: CliIo, goal: GoalRecord): Promise<Forge> {
  return composeGitHubForge({ repoRoot: goal.repo.root, env: io.env });
}
