import type { GateEvidence } from '../proof/schema.js';
import type { Confinement, SandboxNetwork } from '../sandbox/port.js';
import type { Diagnostics } from './diagnostics/types.js';
import type { TestResults } from './test-results/types.js';

/** Which HOME gate processes run with (`gates.home`): one omk makes for each, or the user's. */
export const GATE_HOMES = ['own', 'user'] as const;
export type GateHome = (typeof GATE_HOMES)[number];

/**
 * A machine-readable test report omk asks a runner it detected for: `args` are appended to the
 * gate's argv for each run, with `{file}` replaced by a fresh path under the gate artifacts.
 * `junit-xml`: the runner writes that file; `jest-json`: jest writes its `--json` results there;
 * `go-test-json`: the runner prints JSON events instead of its console output (the gate's tail
 * shows the output they carry); `console`: the runner names every test on its console (vitest's
 * verbose reporter, asked of each package of `pnpm -r test`), read as any console is. Never set on
 * a command the user configured.
 */
export interface TestReportRequest {
  format: 'junit-xml' | 'jest-json' | 'go-test-json' | 'console';
  args: string[];
  /**
   * `report`: read the report before the console (vitest's and jest's consoles name failing tests
   * but not passing ones). By default the console comes first: its names are the ones people type.
   */
  prefer?: 'report';
}

/** A verification command, detected from the project or configured in .omk/config.yml. */
export interface GateSpec {
  name: string;
  /** test | lint | typecheck | format | security-review | benchmark | build | custom */
  kind: string;
  /** argv, never a shell string. */
  argv: string[];
  required: boolean;
  timeoutMs: number;
  /** Fail when the command prints anything (gofmt -l exits 0 while listing unformatted files). */
  failOnOutput?: boolean;
  /**
   * `block`: failing only with the base's own failing tests or diagnostics still blocks readiness.
   * Absent: allowed (the proof lists them).
   */
  preExisting?: 'allow' | 'block';
  /** Where it was found, e.g. "package.json scripts.test" or ".omk/config.yml". */
  source: string;
  /** Detected runners only: the report to ask for (see TestReportRequest). */
  report?: TestReportRequest;
  /** Sandboxed, this gate's network (`gates.list[].network`); absent: the run's gate network. */
  network?: SandboxNetwork;
}

export interface GateRunContext {
  /** Tree to verify (a slice or integration worktree). */
  cwd: string;
  /** Commit checked out in cwd. */
  sha: string;
  /**
   * A checkout of the base, used to tell pre-existing failures apart (a function makes it only
   * when a gate fails twice); null skips that check.
   */
  baseCwd: string | (() => Promise<string>) | null;
  baseSha: string | null;
  /**
   * The goal's gates already run on a base (once per run, before any agent): when its sha is
   * `baseSha`, a gate's base result is taken from it instead of running the gate there again.
   */
  baseline?: GateBaseline | null;
  /** artifacts/gates/ — full logs go here. */
  artifactsDir: string;
  /** Environment for gate processes (allowlisted). */
  env: Readonly<Record<string, string>>;
  /** `gates.home`: absent or `own`, each gate process runs with a HOME of its own (ProcessSpec.ownHome). */
  home?: GateHome;
  signal?: AbortSignal;
  /**
   * Wraps each run of a gate's process (the head's, its rerun, the base's): what must be so
   * before and while it runs (gates/own-sources.ts: a cargo gate builds its worktree's own code).
   * Absent: each runs as it is.
   */
  aroundRun?: AroundGateRun;
  /**
   * Told each gate's complete per-test results of the run its evidence is about (null: none could
   * be read). The base run keeps them in its baseline; the evidence itself holds bounded lists.
   */
  onTestResults?: (gate: string, results: TestResults | null) => void;
  /** Likewise for a lint, format or typecheck gate's diagnostics (null: none could be read). */
  onDiagnostics?: (gate: string, diagnostics: Diagnostics | null) => void;
  /** Set when the run is sandboxed: every gate process runs confined (ProcessSpec.confine). */
  confine?: Confinement;
  /** The most each gate log keeps of one run's output (`logs.maxBytes`); default: the host's. */
  logMaxBytes?: number;
}

/** One run of a gate's process about to start: its argv, where, with what environment. */
export interface GateRunStart {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}

/** Runs `start` (one gate process) when and as `run` allows (GateRunContext.aroundRun). */
export type AroundGateRun = <T>(run: GateRunStart, start: () => Promise<T>) => Promise<T>;

/** Every gate's result on one base commit. */
export interface GateBaseline {
  sha: string;
  gates: readonly GateEvidence[];
  /**
   * Per-test results by gate name, for gates whose output could be read; absent in a baseline
   * made without them (then a gate's base failures are judged by exit code).
   */
  tests?: Readonly<Record<string, TestResults>>;
  /** Diagnostics by gate name, likewise (absent: lint, format and typecheck judged by exit code). */
  diagnostics?: Readonly<Record<string, Diagnostics>>;
  /**
   * The commands of the processes the gates left running on the base (integrity/gate-leftovers.ts
   * keys): a slice's gates leaving the same are the repository's habit, not the agent's.
   */
  leftBehind?: readonly string[];
}

/** Runs gates and classifies them: failing on base too = pre_existing; passes on rerun = flaky;
 * cannot start (here and on the base) = unavailable. */
export type VerifyFn = (gates: readonly GateSpec[], context: GateRunContext) => Promise<GateEvidence[]>;
