import { tmpdir } from 'node:os';
import type { ToolchainProbes } from '../../runtime/gates/toolchain-requirements.js';
import { runProcess } from '../process/run-process.js';

/** `go version` and an import check answer at once. */
const TOOL_PROBE_TIMEOUT_MS = 15_000;

/** Prints, space-separated, the modules of argv it cannot find (without importing any). */
const FIND_MODULES =
  'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';

/**
 * The programs the toolchain rule asks (gates/toolchain-requirements.ts), run with `env` outside
 * any checkout: `omk doctor`'s probes and a run's preflight both use these.
 */
export function createToolchainProbes(env: Readonly<Record<string, string | undefined>>): ToolchainProbes {
  const defined = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  // One `go version` per go, however many gates (vet, test) run it.
  const goVersions = new Map<string, Promise<string | null>>();
  return {
    // Outside any module, and GOTOOLCHAIN=local: `go version` names the go found, never one a
    // go.mod would make it download.
    goVersion: (go) => {
      let version = goVersions.get(go);
      if (version === undefined) {
        version = runTool([go, 'version'], { ...defined, GOTOOLCHAIN: 'local' }).then((result) =>
          result?.exitCode === 0 ? result.stdout : null,
        );
        goVersions.set(go, version);
      }
      return version;
    },
    missingPythonModules: async (python, modules) => {
      const result = await runTool([python, '-c', FIND_MODULES, ...modules], defined);
      if (result?.exitCode !== 0) return null;
      return result.stdout.split(/\s+/).filter((module) => modules.includes(module));
    },
  };
}

/** A probe program's exit code and stdout; null when it could not start or did not finish. */
async function runTool(
  argv: readonly string[],
  env: Record<string, string>,
): Promise<{ exitCode: number | null; stdout: string } | null> {
  const result = await runProcess({
    argv: [...argv],
    cwd: tmpdir(),
    env,
    timeoutMs: TOOL_PROBE_TIMEOUT_MS,
    tailChars: 16_000,
  });
  if (result.spawnError !== null || result.timedOut) return null;
  return { exitCode: result.exitCode, stdout: result.stdout };
}
