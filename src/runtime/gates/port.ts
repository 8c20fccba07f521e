import type { GateEvidence } from '../proof/schema.js';

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
  /** Where it was found, e.g. "package.json scripts.test" or ".omk/config.yml". */
  source: string;
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
  signal?: AbortSignal;
}

/** Every gate's result on one base commit. */
export interface GateBaseline {
  sha: string;
  gates: readonly GateEvidence[];
}

/** Runs gates and classifies them: failing on base too = pre_existing; passes on rerun = flaky;
 * cannot start (here and on the base) = unavailable. */
export type VerifyFn = (gates: readonly GateSpec[], context: GateRunContext) => Promise<GateEvidence[]>;
