// Binary files in a change. Nobody can review their content in a diff, so the question is what
// they could do: code that runs blocks, archives warn, images and fonts are ordinary assets.
//
// Decisions: executables, shared/static libraries, object files, bytecode and installers, and any
// binary committed with mode 100755, are blocking (build them from source in CI instead);
// archives and opaque data (.bin, .dat, .db, .pdf, or a binary with an unknown extension) are
// warnings; images, fonts, audio and video are info. Deleted binaries are not findings.

import type { Finding } from '../proof/schema.js';
import type { DiffFile } from './diff.js';
import { type BinaryClass, binaryClassOf } from './files.js';
import { finding, plural, type ReviewInput } from './input.js';

const MESSAGES: Record<BinaryClass, { severity: Finding['severity']; text: string }> = {
  executable: {
    severity: 'blocking',
    text: 'executable or library binary added or changed; its content cannot be reviewed and it runs with the repository’s trust. Build it from source in CI instead',
  },
  archive: { severity: 'warning', text: 'archive added or changed; its content cannot be reviewed' },
  opaque: { severity: 'warning', text: 'binary file added or changed; its content cannot be reviewed' },
  media: { severity: 'info', text: 'image, font or media file added or changed' },
};

const ORDER: readonly BinaryClass[] = ['executable', 'archive', 'opaque', 'media'];

/** One finding per class, listing its paths. */
export function binaryFindings(input: ReviewInput, files: readonly DiffFile[]): Finding[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const declared = new Set(input.binaryPaths ?? []);
  const groups = new Map<BinaryClass, string[]>();
  for (const path of candidatePaths(input, files)) {
    const diffFile = byPath.get(path);
    if (diffFile?.status === 'deleted') continue;
    const known = declared.has(path) || diffFile?.binary === true;
    const byName = binaryClassOf(path);
    const stat = input.changedFiles.find((file) => file.path === path);
    // numstat shows binary files as 0/0, but so are empty files and mode changes: without other
    // evidence only a binary-looking name makes a 0/0 file a binary.
    const looksBinary = byName !== null && stat !== undefined && stat.additions === 0 && stat.deletions === 0;
    if (!known && !looksBinary) continue;
    const kind: BinaryClass = diffFile?.executable === true ? 'executable' : (byName ?? 'opaque');
    groups.set(kind, [...(groups.get(kind) ?? []), path]);
  }
  return ORDER.flatMap((kind) => {
    const paths = groups.get(kind);
    if (paths === undefined) return [];
    const { severity, text } = MESSAGES[kind];
    const count = new Set(paths).size;
    return [finding('security', severity, `${plural(count, 'file')}: ${text}.`, paths)];
  });
}

function candidatePaths(input: ReviewInput, files: readonly DiffFile[]): string[] {
  const paths = new Set<string>([
    ...(input.binaryPaths ?? []),
    ...input.changedFiles.map((file) => file.path),
    ...files.filter((file) => file.binary).map((file) => file.path),
  ]);
  return [...paths].sort();
}
