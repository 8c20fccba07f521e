import { isAbsolute, resolve } from 'node:path';
import { findCredentials } from '../agents/credentials.js';
import { AGENT_PRESETS, type AgentPreset, findPreset, presetArgv } from '../agents/presets.js';
import { agentExecutable } from '../agents/registry.js';
import type { OmkConfig } from '../config/schema.js';
import { defaultConfig } from '../config/schema.js';
import { isOmkError } from '../errors.js';
import { helpArgv, presetCliReport, versionLine } from './agent-cli.js';
import type { DoctorCheck, DoctorInput, DoctorProbes, DoctorWords } from './types.js';

/** How to install each preset's CLI; shown when it is not on PATH. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  gemini: 'npm install -g @google/gemini-cli',
  kimi: 'uv tool install kimi-cli',
  aider: 'python -m pip install aider-install && aider-install',
  opencode: 'npm install -g opencode-ai',
};

const OTHER_PRESETS = AGENT_PRESETS.map((preset) => preset.name)
  .filter((name) => name !== 'claude')
  .join(', ');

function alternatives(spec: string, words: DoctorWords): string {
  const others = AGENT_PRESETS.map((preset) => preset.name).filter((name) => name !== spec);
  return `or choose another agent: ${words.agent} ${[...others, 'script:./fix.sh', 'demo'].join(' | ')} (demo runs offline and is not an AI)`;
}

export interface AgentCheckContext {
  /** The repository root (script and relative command paths resolve against it). */
  root: string;
  /** The loaded config, or null when it failed to load. */
  config: OmkConfig | null;
}

export async function checkAgent(
  input: Pick<DoctorInput, 'agent' | 'env' | 'words'>,
  probes: DoctorProbes,
  context: AgentCheckContext,
): Promise<DoctorCheck> {
  const base = { id: 'agent', title: 'agent' };
  const flag = input.agent?.trim();
  const configured = context.config?.agents.default;
  const spec = flag || configured;
  if (!spec) {
    return {
      ...base,
      status: 'warn',
      detail: 'no agent selected: `omk goal run` and `omk goal execute` need one',
      fix: `pass ${input.words.agent} claude (or ${OTHER_PRESETS}, script:./fix.sh, demo), or set agents.default in .omk/config.yml`,
    };
  }
  const from = flag ? input.words.agent : 'agents.default';
  const config = context.config ?? defaultConfig();
  let executable: string | null;
  try {
    executable = agentExecutable(spec, { repoRoot: context.root, config: config.agents });
  } catch (error) {
    if (context.config === null) {
      return {
        ...base,
        status: 'warn',
        detail: `${from} ${spec}: not checked, because .omk/config.yml did not load`,
        fix: 'fix .omk/config.yml (see the config check), then run omk doctor again',
      };
    }
    return failure(base, error);
  }
  if (executable === null) {
    return {
      ...base,
      status: 'ok',
      detail: `demo (${from}): the built-in demo agent, deterministic and offline, not an AI; needs nothing`,
    };
  }
  const missing = await findExecutable(spec, executable, context.root, probes, input.words);
  if (missing !== null) return { ...base, ...missing };
  try {
    probes.validateAgent(spec, context.root, config);
  } catch (error) {
    return failure(base, error);
  }
  // A custom agent may redefine a preset's name: then its argv is the user's, not the preset's.
  const preset = config.agents.custom[spec] === undefined ? findPreset(spec) : undefined;
  const cli = preset === undefined ? null : await askPresetCli(preset, context.root, probes);
  const detail = `${spec} (${from}): ${await located(executable, context.root, probes)}${cli?.note ?? ''}${credentials(spec, config, input.env)}`;
  if (cli !== null && preset !== undefined && cli.missingFlags.length > 0) {
    const tested =
      preset.testedVersion === undefined ? '' : ` (the preset was tested with ${preset.testedVersion})`;
    const install = INSTALL_HINTS[preset.name];
    return {
      ...base,
      status: 'warn',
      detail: `${detail}; \`${cli.helpCommand}\` does not list ${cli.missingFlags.join(', ')}, which the preset passes`,
      fix: `upgrade ${executable}${tested}${install === undefined ? '' : `: ${install}`}; or give it your own argv under agents.custom.${spec} in .omk/config.yml`,
    };
  }
  const login = preset?.login?.preflight === 'stop' ? findCredentials(preset, input.env) : null;
  if (login !== null && login.missing !== null) {
    // A run would stop before starting it (prepareAgent's preflight): say so here first.
    return { ...base, status: 'fail', detail, fix: login.how };
  }
  return { ...base, status: 'ok', detail };
}

/**
 * The preset CLI's version, and the preset flags its help does not list: a renamed flag would fail
 * every run with "unexpected argument".
 */
async function askPresetCli(
  preset: AgentPreset,
  root: string,
  probes: DoctorProbes,
): Promise<{ note: string; missingFlags: string[]; helpCommand: string }> {
  const executable = preset.argv[0] ?? preset.name;
  const [version, help] = await Promise.all([
    probes.agentCliOutput([executable, '--version'], root),
    probes.agentCliOutput(helpArgv(preset.argv), root),
  ]);
  const line = version.ok ? versionLine(version.value) : null;
  // The flags checked are the ones a run would pass to this version.
  const picked = presetArgv(preset, line);
  const report = presetCliReport({ argv: picked.argv }, line, help.ok ? help.value : null);
  const tested = preset.testedVersion === undefined ? '' : `, preset tested with ${preset.testedVersion}`;
  const versionNote = version.ok
    ? `; version ${report.version ?? 'not shown by --version'}${tested}`
    : `; \`${executable} --version\` failed (${version.error})`;
  const olderNote =
    picked.why === null ? '' : `; runs ${picked.argv.join(' ')} for this version (${picked.why})`;
  const helpNote = !help.ok
    ? `; \`${report.helpCommand}\` could not be read (${help.error})`
    : report.missingFlags.length === 0
      ? `; \`${report.helpCommand}\` lists every flag it passes`
      : '';
  return {
    note: `${versionNote}${olderNote}${helpNote}`,
    missingFlags: report.missingFlags,
    helpCommand: report.helpCommand,
  };
}

/** A problem with the executable, as status/detail/fix, or null when it is there. */
async function findExecutable(
  spec: string,
  executable: string,
  root: string,
  probes: DoctorProbes,
  words: DoctorWords,
): Promise<Pick<DoctorCheck, 'status' | 'detail' | 'fix'> | null> {
  if (spec.startsWith('script:')) {
    const state = await probes.fileState(executable);
    if (state === 'ok') return null;
    const what = {
      missing: 'does not exist',
      'not-file': 'is not a file',
      'not-executable': 'is not executable',
    }[state];
    return {
      status: 'fail',
      detail: `agent script ${executable} ${what}`,
      fix:
        state === 'not-executable'
          ? `chmod +x ${executable} (and start it with a #! line)`
          : `script paths are relative to the repository root (${root}); create the script, ${alternatives(spec, words)}`,
    };
  }
  if (executable.includes('/')) {
    const path = isAbsolute(executable) ? executable : resolve(root, executable);
    const state = await probes.fileState(path);
    if (state === 'ok') return null;
    return {
      status: 'fail',
      detail: `agent command ${path} (agents.custom.${spec}.argv[0]) is missing or not executable (${state})`,
      fix: `point agents.custom.${spec}.argv[0] in .omk/config.yml at an executable, ${alternatives(spec, words)}`,
    };
  }
  if ((await probes.findOnPath(executable)) !== null) return null;
  const preset = findPreset(spec);
  const install = preset === undefined ? undefined : INSTALL_HINTS[preset.name];
  return {
    status: 'fail',
    detail: `\`${executable}\` (agent ${spec}) was not found on PATH`,
    fix: `${install === undefined ? `install \`${executable}\` and put it on PATH` : `install it: ${install}`}; ${alternatives(spec, words)}`,
  };
}

async function located(executable: string, root: string, probes: DoctorProbes): Promise<string> {
  if (executable.includes('/')) return isAbsolute(executable) ? executable : resolve(root, executable);
  return (await probes.findOnPath(executable)) ?? executable;
}

/**
 * Which credential variables would reach the agent, or which login file a preset CLI has. Names
 * only: values are never shown.
 */
function credentials(spec: string, config: OmkConfig, env: DoctorInput['env']): string {
  const preset = config.agents.custom[spec] === undefined ? findPreset(spec) : undefined;
  const names = [
    ...(preset?.envNames ?? []),
    ...(config.agents.custom[spec]?.env ?? []),
    ...(config.agents.settings[spec]?.env ?? []),
  ];
  const unique = [...new Set(names)];
  const set = unique.filter((name) => (env[name] ?? '') !== '');
  if (set.length > 0) return `; passes ${set.join(', ')}`;
  if (preset?.login !== undefined) {
    const finding = findCredentials(preset, env);
    if (finding.found !== null) return `; logged in (${finding.found})`;
    return `; no credentials found (${finding.missing}): ${finding.how}`;
  }
  if (unique.length === 0) return '';
  return `; none of ${unique.join(', ')} is set, so it must be logged in by files copied into its own HOME (the preset's, or home: in .omk/config.yml)`;
}

function failure(base: { id: string; title: string }, error: unknown): DoctorCheck {
  if (!isOmkError(error)) throw error;
  const check: DoctorCheck = { ...base, status: 'fail', detail: error.message };
  if (error.hint !== undefined) check.fix = error.hint;
  return check;
}
