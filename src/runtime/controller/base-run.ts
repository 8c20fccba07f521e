import { unavailableAdvice, unavailableTool } from '../gates/availability.js';
import type { Diagnostics } from '../gates/diagnostics/types.js';
import type { GateBaseline } from '../gates/port.js';
import type { TestResults } from '../gates/test-results/types.js';
import type { Gap } from '../proof/schema.js';
import type { RunContext } from './context.js';

export interface BaseRun {
  /** Every gate's result on the goal's base; later pre-existing checks against it reuse these. */
  baseline: GateBaseline;
  /** One `gate_unavailable` gap per required gate that cannot start: the goal stops before agents. */
  blocked: Gap[];
}

/**
 * Runs the goal's gates once on its base before any agent starts. A required gate whose tool
 * cannot start there would fail on every slice whatever an agent does, so the run stops with the
 * tool and the ways out, before anything is spent on agents. The results are also the baseline the
 * slices and the integrated tree compare their failures with.
 */
export async function runGatesOnBase(ctx: RunContext): Promise<BaseRun> {
  const { deps, goal, journal } = ctx;
  const sha = ctx.base.baseSha;
  deps.reporter.info(
    `checking ${ctx.gates.length} gate(s) on the base ${sha.slice(0, 12)} before any agent runs`,
  );
  // Every test each gate reported on the base, unbounded: each slice compares its own with them.
  const tests: Record<string, TestResults> = {};
  const diagnostics: Record<string, Diagnostics> = {};
  const gates = await deps.verify(ctx.gates, {
    cwd: await ctx.base.path(),
    sha,
    baseCwd: null,
    baseSha: null,
    artifactsDir: deps.store.paths(goal.id).gateArtifacts,
    // As prepared, like a slice's: the base's check must find what the slices' gates will find.
    env: await ctx.base.env(),
    signal: ctx.signal,
    onTestResults: (gate, results) => {
      if (results !== null) tests[gate] = results;
    },
    onDiagnostics: (gate, read) => {
      if (read !== null) diagnostics[gate] = read;
    },
  });
  const blocked: Gap[] = [];
  for (const gate of gates.filter((g) => g.outcome === 'unavailable')) {
    const why = gate.tail.split('\n')[0]?.replace(/^\[omk\] /, '') ?? '';
    const tool = unavailableTool(gate.tail) ?? gate.name;
    if (!gate.required) {
      deps.reporter.warn(`optional gate ${gate.name} cannot start: ${why}`);
      continue;
    }
    const message =
      `Required gate "${gate.name}" (${gate.kind}) cannot start on base ${sha.slice(0, 12)}: ${why} ` +
      `No agent ran. ${unavailableAdvice(gate, tool, goal.oracle.requiredGates)}; then run the goal again.`;
    blocked.push({ code: 'gate_unavailable', message });
    deps.reporter.warn(message);
  }
  // Not charged to the goal's budget: like making the worktrees, it is omk's own check, and the
  // slices' shares of the budget were made without it. Its time is on the event.
  const durationMs = gates.reduce((sum, gate) => sum + gate.durationMs, 0);
  const outcomes = gates.map((g) => `${g.name}:${g.outcome}`);
  await journal.save([{ type: 'gates_on_base', data: { sha, outcomes, durationMs } }]);
  return { baseline: { sha, gates, tests, diagnostics }, blocked };
}
