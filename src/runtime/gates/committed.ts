import { relative } from 'node:path';
import { CONFIG_FILES, type LoadedConfig } from '../config/load.js';
import type { RepoPort } from '../ports.js';
import { GATE_DETECTORS } from './detect.js';
import { type DetectContext, type GateDetector, MAX_READ_BYTES, treeDetectContext } from './detector.js';
import { NODE_MANIFEST_READS } from './node-manifest.js';

/** What preparing a worktree (workspace/plan.ts) and the base's manifest read besides the detectors' files. */
const PREPARATION_READS: readonly string[] = NODE_MANIFEST_READS;

/** The goal's base as gates are detected from it: a commit's files, not the checkout's. */
export interface CommittedTree {
  files: readonly string[];
  /** The detectors' (and the worktree preparation's) files, as committed. */
  context: DetectContext;
  /** `.omk/config.yml` (or `.yaml`) when the checkout's copy differs from the commit's. */
  configChanged: { path: string; committed: boolean } | null;
  /** Detection files whose checkout copy differs from the commit: edits the goal does not have. */
  detectionChanged: string[];
}

/**
 * The tree gates are detected from: the goal's base commit, since every worktree (the base's,
 * each slice's) is made from it, so an uncommitted `[tool.ruff]` adds no gate and a committed one
 * deleted in the checkout still counts. One `git ls-tree` (shared with planning's listing of the
 * same commit); file texts come from the checkout where they are identical to the commit, else
 * from one `git cat-file --batch`. With the checkout's `config` (as the run loaded it), whether
 * it differs from the committed one is told too, from the text already read (`configChanged`;
 * without it, null).
 */
export async function readCommittedTree(
  repo: Pick<RepoPort, 'readCommitted'>,
  root: string,
  sha: string,
  config: LoadedConfig | null = null,
  detectors: readonly GateDetector[] = GATE_DETECTORS,
): Promise<CommittedTree> {
  const detection = [...new Set([...detectors.flatMap((d) => d.reads), ...PREPARATION_READS])];
  const known = new Map<string, string>();
  if (config?.path != null && config.text !== undefined) {
    known.set(relative(root, config.path).replaceAll('\\', '/'), config.text);
  }
  const paths = config === null ? detection : [...detection, ...CONFIG_FILES];
  const first = await repo.readCommitted(root, sha, paths, MAX_READ_BYTES, known);
  // Files the listing names (a pnpm workspace's package.json files): a second read, only when there are some.
  const named = [...new Set(detectors.flatMap((d) => d.readsIn?.(first.files) ?? []))].filter(
    (path) => !paths.includes(path),
  );
  const more = named.length === 0 ? null : await repo.readCommitted(root, sha, named, MAX_READ_BYTES, known);
  const read =
    more === null
      ? first
      : {
          files: first.files,
          texts: new Map([...first.texts, ...more.texts]),
          changed: [...first.changed, ...more.changed],
        };
  const changed = new Set(read.changed);
  return {
    files: read.files,
    context: treeDetectContext(read.files, read.texts),
    configChanged: configChange(
      CONFIG_FILES.find((file) => changed.has(file)),
      read.texts,
    ),
    detectionChanged: [...detection, ...named].filter((file) => changed.has(file)),
  };
}

function configChange(
  path: string | undefined,
  texts: ReadonlyMap<string, string | null>,
): CommittedTree['configChanged'] {
  return path === undefined ? null : { path, committed: (texts.get(path) ?? null) !== null };
}
