import { isAbsolute, relative } from 'node:path';
import { CONFIG_FILES, type LoadedConfig, loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { quoteUntrusted } from '../graph/paths.js';
import type { AgentChoice } from './agent.js';
import type { AppDeps } from './deps.js';

/**
 * Whether `agents.custom` of the repository's own config may run. `trusted` (the CLI, the
 * Action): the config is the user's, and may define or redefine any agent. `untrusted` (the bot):
 * anyone who can push the config would otherwise choose what runs with the host's credentials, so
 * no custom agent of it runs: a run or a planner that would use one is refused before anything
 * exists. A front door that wants a repository to pick its own command says so elsewhere, and
 * passes the entry it made as host-defined (`AgentChoice.hostDefined`).
 */
export type RepoCustomAgents = 'trusted' | 'untrusted';

/**
 * What of the repository's config a run would use where it is not trusted: a custom agent, or a
 * preset's (or script's) `agents.settings.<name>` adding arguments, environment names or HOME files to it.
 */
export interface UntrustedCustomAgent {
  /** `custom`: a whole agent; `settings`: extraArgs, env or home added to an agent the host chose. */
  kind: 'custom' | 'settings';
  /** The config file, relative to the repository (`.omk/config.yml`). */
  file: string;
  /** The key that defines it (`agents.custom.<name>`, `agents.settings.<name>.extraArgs`). */
  key: string;
  name: string;
  /** Where the run would use it: as its agent, or to plan (`planner.agent`). */
  role: 'agent' | 'planner';
}

/**
 * The first custom agent of `config` a run would use while such agents are untrusted: the
 * planner's (`planner.agent`) and then `specs` (the run's agent, or agents.default when none is
 * named). Entries the host itself added (`hostDefined`) are its own choice; null when nothing is
 * refused. `agents.settings.<name>` of such an agent is refused too when it adds arguments,
 * environment names or HOME files: a preset CLI's flags can run other programs (an MCP server, a
 * hook, a config override), a name passes the host's secret of that name to the agent, and a HOME
 * file hands it a file of the host's. Its timeouts
 * (startupSilence, networkStall) stay the repository's to tune.
 */
export function untrustedCustomAgent(
  trust: RepoCustomAgents | undefined,
  found: { repoRoot: string; config: LoadedConfig },
  specs: readonly (string | null | undefined)[],
  hostDefined: readonly string[] = [],
): UntrustedCustomAgent | null {
  if (trust !== 'untrusted') return null;
  const { config, repoRoot } = found;
  const { agents, planner } = config.config;
  const named = specs.filter((spec): spec is string => typeof spec === 'string' && spec.trim() !== '');
  const runs = named.length > 0 ? named : [agents.default];
  const uses: { spec: string | undefined; role: UntrustedCustomAgent['role'] }[] = [
    { spec: planner.agent, role: 'planner' },
    ...runs.map((spec) => ({ spec, role: 'agent' as const })),
  ];
  for (const { spec, role } of uses) {
    const name = spec?.trim();
    if (name === undefined || name === '' || hostDefined.includes(name)) continue;
    const file = configFile(config, repoRoot);
    if (Object.hasOwn(agents.custom, name)) {
      return { kind: 'custom', file, key: `agents.custom.${name}`, name, role };
    }
    const settings = Object.hasOwn(agents.settings, name) ? agents.settings[name] : undefined;
    if (settings === undefined) continue;
    const added =
      settings.extraArgs.length > 0
        ? 'extraArgs'
        : settings.env.length > 0
          ? 'env'
          : settings.home.length > 0
            ? 'home'
            : null;
    if (added !== null)
      return { kind: 'settings', file, key: `agents.settings.${name}.${added}`, name, role };
  }
  return null;
}

/** The refusal as an error, for a use case that meets an untrusted custom agent. */
export function untrustedCustomAgentError(found: UntrustedCustomAgent): ConfigError {
  const use = found.role === 'planner' ? 'plan goals (planner.agent)' : 'run goals';
  if (found.kind === 'settings') {
    return new ConfigError(
      `${found.file} sets ${quoteUntrusted(found.key)}, and arguments, environment names or HOME files the repository's own config adds to an agent are not used here, so nothing was run: ${quoteUntrusted(found.name)} would ${use} with them and this host's credentials.`,
      {
        hint: `Remove ${quoteUntrusted(found.key)} from ${found.file} (its startupSilence and networkStall may stay), and ask the host's operator for what the agent needs.`,
      },
    );
  }
  return new ConfigError(
    `${found.file} defines ${quoteUntrusted(found.key)}, and custom agents from the repository's own config are not run here, so nothing was run: it would ${use} with this host's credentials.`,
    {
      hint: `Remove ${found.key} from ${found.file} (or stop naming ${quoteUntrusted(found.name)}), and use an agent the host's operator allows.`,
    },
  );
}

/** The file as the repository names it: never this machine's path, which a reply would show. */
function configFile(config: LoadedConfig, repoRoot: string): string {
  const fallback = CONFIG_FILES[0];
  if (config.path === null) return fallback;
  const inRepo = relative(repoRoot, config.path);
  return inRepo === '' || inRepo.startsWith('..') || isAbsolute(inRepo) ? fallback : inRepo;
}

/**
 * Before a goal exists: the custom agent of the repository's config that this host does not trust
 * (`AppDeps.repoCustomAgents`) and that running `choice` or planning with `planning` would use, or
 * null. A front door asks this first, so a refusal leaves no state anywhere; the use cases refuse
 * the same agents again on their own (prepareAgent, the planner's choice).
 */
export async function findUntrustedCustomAgent(
  deps: Pick<AppDeps, 'repoCustomAgents' | 'config'>,
  repoRoot: string,
  choice: AgentChoice,
  planning?: string,
): Promise<UntrustedCustomAgent | null> {
  if (deps.repoCustomAgents !== 'untrusted') return null;
  const config = choice.config ?? (await (deps.config ?? loadConfig)(repoRoot));
  return untrustedCustomAgent(
    deps.repoCustomAgents,
    { repoRoot, config },
    [choice.name, planning],
    choice.hostDefined,
  );
}

/** A step a thread asks for that would run or plan with agents: start a goal, resume one, or fix a PR. */
export interface ThreadAgentStep {
  step: 'start' | 'resume' | 'fix';
  /** Whether agents run on this host; else only planning happens here (a dispatched run's agents run on the repository's runner). */
  executesHere: boolean;
  /** The agent the step would run with (asked only when agents run here). */
  runAgent: () => Promise<AgentChoice>;
  /** The agent a new goal would be planned with. */
  planningAgent: string | undefined;
  /** The agent an existing goal was created with, which its runs use when the host names none. */
  recorded?: string;
}

/**
 * `findUntrustedCustomAgent` for a thread's step: the run's agent (or the goal's recorded one) when
 * agents run here, and the planner's for a step that plans (a fix plans nothing).
 */
export async function untrustedAgentOfStep(
  deps: Pick<AppDeps, 'repoCustomAgents' | 'config'>,
  repoRoot: string,
  ask: ThreadAgentStep,
): Promise<UntrustedCustomAgent | null> {
  const chosen = ask.executesHere ? await ask.runAgent() : {};
  const choice =
    chosen.name === undefined && ask.recorded !== undefined ? { ...chosen, name: ask.recorded } : chosen;
  const planning = ask.executesHere && ask.step !== 'fix' ? ask.planningAgent : undefined;
  return findUntrustedCustomAgent(deps, repoRoot, choice, planning);
}
