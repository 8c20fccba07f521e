import { randomBytes } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { agentEnvironment } from '../../runtime/agents/env.js';
import { resolveAgent } from '../../runtime/agents/registry.js';
import { loadConfig } from '../../runtime/config/load.js';
import { fileState, findOnPath } from '../../runtime/doctor/path-lookup.js';
import type { DoctorProbes, Probed } from '../../runtime/doctor/types.js';
import { readCommittedTree } from '../../runtime/gates/committed.js';
import { detectGates, detectGatesIn } from '../../runtime/gates/detect.js';
import { readScripts } from '../../runtime/gates/detect-node.js';
import { createDetectContext, type DetectContext, MAX_READ_BYTES } from '../../runtime/gates/detector.js';
import { nodeManifest } from '../../runtime/gates/node-manifest.js';
import { ownInstallOf } from '../../runtime/gates/tool-preflight.js';
import { agentLauncher } from '../agents/launcher.js';
import { gitRepo } from '../git/repo.js';
import { gitVersion } from '../git/version.js';
import { listWorktrees } from '../git/worktree.js';
import { runProcess } from '../process/run-process.js';
import { hostSubreaper } from '../process/subreaper.js';
import { createBubblewrap } from '../sandbox/bubblewrap.js';
import { createToolchainProbes } from './toolchain-probes.js';

export interface SystemProbeOptions {
  /** The environment whose PATH is searched and from which agents would be built. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where `git --version` runs (any existing directory). */
  cwd: string;
}

/** `--version` and `--help` answer at once; a CLI that waits longer is waiting for someone. */
const AGENT_CLI_TIMEOUT_MS = 15_000;

/** The tree a goal started now would run: HEAD's; a repository with no commit yet, the checkout's files. */
async function headTree(root: string): Promise<DetectContext> {
  const { headSha } = await gitRepo.inspect(root);
  // package.json read as before the first commit lists it (a missing one reads as null).
  if (headSha === null)
    return createDetectContext(root, ['package.json', ...(await gitRepo.listFiles(root))]);
  return (await readCommittedTree(gitRepo, root, headSha)).context;
}

/** The real probes: the git CLI, the file system, the config loader and the gate detectors. */
export function createSystemProbes(options: SystemProbeOptions): DoctorProbes {
  return {
    gitVersion: () => probe(() => gitVersion(options.cwd)),
    inspectRepo: (path) =>
      probe(async () => {
        const info = await gitRepo.inspect(path);
        return { root: info.root, headSha: info.headSha };
      }),
    listWorktrees: (root) => probe(async () => (await listWorktrees(root)).length),
    loadConfig: (root) => loadConfig(root),
    // The gates a goal started now would run: detected from HEAD, its base, as a run detects them
    // (an uncommitted edit is in no worktree of it); a repository with no commit yet, from the checkout.
    detectGates: async (root, config) => {
      const { headSha } = await gitRepo.inspect(root);
      if (headSha === null) return detectGates(root, await gitRepo.listFiles(root), config);
      return detectGatesIn((await readCommittedTree(gitRepo, root, headSha)).context, config);
    },
    packageScripts: async (root) => readScripts(await headTree(root)),
    nodeManifest: async (root) => nodeManifest(await headTree(root)),
    ownInstall: async (root, config) => {
      const { headSha } = await gitRepo.inspect(root);
      if (headSha === null) return null;
      const { context } = await readCommittedTree(gitRepo, root, headSha);
      return ownInstallOf(gitRepo, root, context, config.workspace);
    },
    findOnPath: (command, firstDirs = []) =>
      findOnPath(
        command,
        firstDirs.length === 0
          ? options.env
          : {
              ...options.env,
              PATH: [...firstDirs, options.env.PATH ?? options.env.Path ?? ''].join(delimiter),
            },
      ),
    fileState,
    headFile: async (root, path) => {
      const { headSha } = await gitRepo.inspect(root);
      if (headSha === null) return readFile(join(root, path), 'utf8').catch(() => null);
      const read = await gitRepo.readCommitted(root, headSha, [path], MAX_READ_BYTES);
      return read.texts.get(path) ?? null;
    },
    ...createToolchainProbes(options.env),
    agentCliOutput: (argv, cwd) =>
      probe(async () => {
        const result = await runProcess({
          argv,
          cwd,
          env: agentEnvironment(options.env, []),
          timeoutMs: AGENT_CLI_TIMEOUT_MS,
          tailChars: 64_000,
        });
        if (result.spawnError !== null) throw new Error(result.spawnError);
        if (result.timedOut) throw new Error(`${argv.join(' ')} did not finish within 15s`);
        return `${result.stdout}\n${result.tail}`;
      }),
    validateAgent: (spec, root, config) => {
      resolveAgent(spec, {
        repoRoot: root,
        config: config.agents,
        env: options.env,
        launcher: agentLauncher,
      });
    },
    probeWritableDir,
    sandbox: createBubblewrap({ env: options.env }).probe,
    subreaper: async () => {
      const found = await hostSubreaper();
      return found.available ? { available: true, tool: found.tool } : found;
    },
  };
}

async function probe<T>(run: () => Promise<T>): Promise<Probed<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Proves `dir` writable with a file it removes again. A missing directory is not created (a run
 * creates it): its nearest existing ancestor is tested instead, since that is where it would go.
 */
export function probeWritableDir(dir: string): Promise<Probed<{ exists: boolean; tested: string }>> {
  return probe(async () => {
    let tested = resolve(dir);
    for (;;) {
      try {
        if (!(await stat(tested)).isDirectory()) throw new Error(`${tested} exists and is not a directory`);
        break;
      } catch (error) {
        const parent = dirname(tested);
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === tested) throw error;
        tested = parent;
      }
    }
    const file = join(tested, `.omk-doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(file, 'omk doctor write test\n', { flag: 'wx' });
    await unlink(file);
    return { exists: tested === resolve(dir), tested };
  });
}
