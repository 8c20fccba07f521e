import { ConfigError } from '../errors.js';
import type { Reporter } from '../ports.js';
import { SANDBOX_MODES, type SandboxDecision, type SandboxMode, type SandboxPort } from './port.js';

/** The refusal's two ways out, in words every front door shares (the config file is the same file). */
export const SANDBOX_OFF_HINT =
  'or run agents unconfined: set `sandbox: off` (or `auto`, which falls back) in .omk/config.yml, or for one run with the sandbox option';

/**
 * OMK_SANDBOX: this machine's choice over the config's (a CI image without user namespaces, a
 * test suite); a run's flag or input still wins. Anything but auto, required or off is refused.
 */
export function sandboxFromEnv(env: Readonly<Record<string, string | undefined>>): SandboxMode | undefined {
  const raw = env.OMK_SANDBOX;
  if (raw === undefined || raw === '') return undefined;
  if ((SANDBOX_MODES as readonly string[]).includes(raw)) return raw as SandboxMode;
  throw new ConfigError(
    `OMK_SANDBOX must be auto, required or off (got ${JSON.stringify(raw.slice(0, 40))}).`,
    {
      hint: "Set OMK_SANDBOX=auto, required or off, or unset it to use the config's sandbox.",
    },
  );
}

/**
 * Whether this run's agents and gates are confined. `off` never asks the host; `auto` runs
 * unconfined when the host cannot confine, and says so; `required` refuses, before any agent runs.
 */
export async function decideSandbox(
  port: SandboxPort,
  mode: SandboxMode,
  reporter: Pick<Reporter, 'warn'>,
): Promise<SandboxDecision> {
  if (mode === 'off') {
    return { mode, active: false, reason: 'the sandbox is off: agents and gates run unconfined' };
  }
  const probed = await port.probe();
  if (probed.available) {
    return {
      mode,
      active: true,
      // No path of this machine: the reason goes into the proof.
      reason:
        'bubblewrap: writes confined to the worktree, credential stores hidden, processes end with the run',
    };
  }
  if (mode === 'required') {
    throw new ConfigError(`sandbox: required, but this host cannot confine agents: ${probed.reason}.`, {
      hint: `${probed.hint}; ${SANDBOX_OFF_HINT}.`,
    });
  }
  reporter.warn(`agents and gates run unsandboxed: ${probed.reason} (${probed.hint})`);
  return { mode, active: false, reason: `unsandboxed: ${probed.reason}` };
}

/** The decision as a line of decisions.jsonl (kind `sandbox`), which the proof carries. */
export function sandboxDecisionRecord(decision: SandboxDecision): {
  kind: string;
  decision: string;
  reason: string;
} {
  return {
    kind: SANDBOX_DECISION_KIND,
    // `off` is the user's choice; `unsandboxed` is a host that could not confine what was asked.
    decision: decision.active ? 'sandboxed' : decision.mode === 'off' ? 'off' : 'unsandboxed',
    reason: `sandbox: ${decision.mode}; ${decision.reason}`,
  };
}

export const SANDBOX_DECISION_KIND = 'sandbox';

/**
 * The proof's warnings about confinement: one when a run of the goal had its agents and gates
 * unconfined because the host could not confine them (`auto` fell back). A goal with no sandbox decision (made before omk had one) gets none, so its proof and
 * digest are unchanged.
 */
export function sandboxWarnings(
  decisions: readonly { kind: string; decision: string; reason: string }[],
): string[] {
  const unconfined = decisions.filter(
    (d) => d.kind === SANDBOX_DECISION_KIND && d.decision === 'unsandboxed',
  );
  const last = unconfined.at(-1);
  if (last === undefined) return [];
  return [
    `Agents and gates ran unsandboxed (${last.reason}): nothing confined what they could read or write.`,
  ];
}
