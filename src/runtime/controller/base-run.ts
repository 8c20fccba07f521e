import { unavailableAdvice, unavailableTool, unavailableWhy } from '../gates/availability.js';
import { MAX_READ_BYTES, treeDetectContext } from '../gates/detector.js';
import type { Diagnostics } from '../gates/diagnostics/types.js';
import { NODE_MANIFEST_READS, type NodeManifest, nodeManifest } from '../gates/node-manifest.js';
import type { GateBaseline } from '../gates/port.js';
import type { TestResults } from '../gates/test-results/types.js';
import { declaredInstall } from '../gates/tool-lookup.js';
import { quoteUntrusted } from '../graph/paths.js';
import { baseLeftoverKeys } from '../integrity/gate-leftovers.js';
import type { Gap } from '../proof/schema.js';
import { ownStep } from '../workspace/own-step.js';
import type { RunContext } from './context.js';
import { recordPutBack } from './prepare.js';
import { sharedGitOf } from './run-baseline.js';

export interface BaseRun {
  /** Every gate's result on the goal's base; later pre-existing checks against it reuse these. */
  baseline: GateBaseline;
  /** One `gate_unavailable` gap per required gate that cannot start: the goal stops before agents. */
  blocked: Gap[];
}

/**
 * The environment gates run with in the base worktree: its own preparation's (the checkout's
 * virtualenv, and for an editable install the base worktree's own src/ first on PYTHONPATH), in
 * the integration's own cache. Never a head's: with the head's PYTHONPATH, tests run in the base
 * worktree would import the head's source.
 */
export async function baseGateEnv(
  ctx: Pick<RunContext, 'base' | 'deps'>,
): Promise<Readonly<Record<string, string>>> {
  const own = ctx.deps.integrationCache;
  return own === undefined ? await ctx.base.env() : own.env(await ctx.base.env());
}

/**
 * Runs the goal's gates once on its base before any slice's agent starts (a planning agent may
 * have run already: its plan is what the slices are; so the words say "slice agent", never "no
 * agent"). A required gate whose tool
 * cannot start there would fail on every slice whatever an agent does, so the run stops with the
 * tool and the ways out, before anything is spent on agents. The results are also the baseline the
 * slices and the integrated tree compare their failures with.
 */
export async function runGatesOnBase(ctx: RunContext, why = 'before any slice agent runs'): Promise<BaseRun> {
  const { deps, goal, journal } = ctx;
  const sha = ctx.base.baseSha;
  deps.reporter.info(`checking ${ctx.gates.length} gate(s) on the base ${sha.slice(0, 12)} ${why}`);
  // Every test each gate reported on the base, unbounded: each slice compares its own with them.
  const tests: Record<string, TestResults> = {};
  const diagnostics: Record<string, Diagnostics> = {};
  const cwd = await ctx.base.path();
  // As prepared, like a slice's: the base's check must find what the slices' gates will find.
  // In the integration's own cache: the slices' is written by their gates, which run the agents'
  // code; the base's gates run only the checkout's (integrity/integration-cache.ts).
  const own = deps.integrationCache;
  const env = await baseGateEnv(ctx);
  // The checkout's own code before any agent: omk's own step, like the worktree's install. What it
  // writes to the shared `.git` (a test script that runs the project's hook installer) is put back
  // and is no agent's; the same write by a slice's gates is a blocking finding. Same environment
  // as a slice's gates (no hook installers' opt-outs): the base finds what the slices will.
  const scope = { repoRoot: goal.repo.root, home: deps.home };
  const { result: gates, shared } = await ownStep(
    sharedGitOf(ctx),
    deps.integrity,
    scope,
    'the gates on the base',
    () =>
      (own?.verify ?? deps.verify)(ctx.gates, {
        cwd,
        sha,
        baseCwd: null,
        baseSha: null,
        artifactsDir: deps.store.paths(goal.id).gateArtifacts,
        env,
        signal: ctx.signal,
        onTestResults: (gate, results) => {
          if (results !== null) tests[gate] = results;
        },
        onDiagnostics: (gate, read) => {
          if (read !== null) diagnostics[gate] = read;
        },
      }),
  );
  await recordPutBack(ctx, shared);
  // The caches the base's own gates wrote there are omk's: only what comes later is foreign.
  await ctx.base.settled();
  const leftBehind = await leftOnBase(ctx, cwd);
  const blocked: Gap[] = [];
  const unavailable = gates.filter((g) => g.outcome === 'unavailable');
  // What the base's package.json declares: a tool it declares is missing from a stale install.
  const manifest = unavailable.some((g) => g.required) ? await baseManifest(ctx) : null;
  for (const gate of unavailable) {
    // The reason alone: the advice below says what to install (the note's question would not).
    const why = unavailableWhy(gate.tail);
    const tool = unavailableTool(gate.tail) ?? gate.name;
    if (!gate.required) {
      deps.reporter.warn(`optional gate ${gate.name} cannot start: ${why}`);
      continue;
    }
    const message =
      `Required gate "${gate.name}" (${gate.kind}) cannot start on base ${sha.slice(0, 12)}: ${why} ` +
      `No slice agent ran. ${unavailableAdvice(gate, tool, goal.oracle.requiredGates, declaredInstall(tool, manifest), why)}; then run the goal again.`;
    blocked.push({ code: 'gate_unavailable', message });
    deps.reporter.warn(message);
  }
  // Not charged to the goal's budget: like making the worktrees, it is omk's own check, and the
  // slices' shares of the budget were made without it. Its time is on the event.
  const durationMs = gates.reduce((sum, gate) => sum + gate.durationMs, 0);
  const outcomes = gates.map((g) => `${g.name}:${g.outcome}`);
  await journal.save([{ type: 'gates_on_base', data: { sha, outcomes, durationMs } }]);
  return { baseline: { sha, gates, tests, diagnostics, leftBehind }, blocked };
}

/** The base commit's package.json as a manifest, with the lock file it has (null: none). */
async function baseManifest(ctx: RunContext): Promise<NodeManifest | null> {
  const { files, texts } = await ctx.deps.committed.readCommitted(
    ctx.goal.repo.root,
    ctx.base.baseSha,
    NODE_MANIFEST_READS,
    MAX_READ_BYTES,
  );
  return nodeManifest(treeDetectContext(files, texts));
}

/** One base run per run context, when the integration needs the baseline first. */
const lateBaselines = new WeakMap<RunContext, Promise<GateBaseline>>();

/**
 * The base's results the integrated tree's are compared with. A run that had slices to start ran
 * the gates on the base first; one that only integrates (a resumed goal whose slices are done, the
 * Action's integrate job) runs them now, once: without them the merged tree's per-test results
 * compare with nothing and cannot show the fix (fail-to-pass needs the base's failing tests).
 */
export async function baselineForIntegration(ctx: RunContext): Promise<GateBaseline | null> {
  if (ctx.baseline !== undefined) return ctx.baseline;
  if (ctx.gates.length === 0 || ctx.signal.aborted) return null;
  let pending = lateBaselines.get(ctx);
  if (pending === undefined) {
    pending = runGatesOnBase(ctx, "to compare the integrated tree's results with").then(({ baseline }) => {
      ctx.baseline = baseline;
      ctx.journal.execution = { ...ctx.journal.execution, baseGates: [...baseline.gates] };
      return baseline;
    });
    lateBaselines.set(ctx, pending);
  }
  return pending;
}

/**
 * What the gates left running on the base (ended with them): the repository's own code before any
 * agent ran, so not a finding; their commands say which leftovers of a slice's gates are the same.
 */
async function leftOnBase(ctx: RunContext, cwd: string): Promise<string[]> {
  const scan = await ctx.deps.integrity.endStrays(cwd);
  if (!scan.checked || scan.killed.length === 0) return [];
  const keys = baseLeftoverKeys(scan.killed, cwd);
  ctx.deps.reporter.info(
    `the gates on the base left ${scan.killed.length === 1 ? 'a process' : `${scan.killed.length} processes`} running (${scan.killed
      .map((stray) => quoteUntrusted(stray.command))
      .join(', ')}), ended with them; a slice's gates leaving the same do not block`,
  );
  return keys;
}
