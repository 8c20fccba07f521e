import { loadConfig } from '../config/load.js';
import { detectGates } from '../gates/detect.js';
import { gateEnvironment } from '../gates/env.js';
import type { GateSpec } from '../gates/port.js';
import type { GateEvidence } from '../proof/schema.js';
import type { AppDeps } from './deps.js';

export interface Baseline {
  /** The gates detected in the repository (and configured). */
  gates: readonly GateSpec[];
  /** The test gates run on the checkout as it is. */
  tests: readonly GateEvidence[];
}

/**
 * The repository's test gates run on its checkout as it is, before any goal: what `omk demo`
 * shows to prove the bug it fixes is real. Nothing is written to goal state.
 */
export async function testBaseline(
  deps: Pick<AppDeps, 'repo' | 'env' | 'execution'>,
  root: string,
  artifactsDir: string,
): Promise<Baseline> {
  const [files, info, { config }] = await Promise.all([
    deps.repo.listFiles(root),
    deps.repo.inspect(root),
    loadConfig(root),
  ]);
  const gates = detectGates(root, files, config);
  const tests = await deps.execution.verify(
    gates.filter((gate) => gate.kind === 'test'),
    {
      cwd: root,
      sha: info.headSha ?? '',
      baseCwd: null,
      baseSha: null,
      artifactsDir,
      env: gateEnvironment(deps.env),
      home: config.gates.home,
    },
  );
  return { gates, tests };
}
