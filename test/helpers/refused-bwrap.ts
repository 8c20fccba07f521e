import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptFile } from './agents.js';

/**
 * A directory holding a `bwrap` whose namespaces are refused, as on a host without unprivileged
 * user namespaces (GitHub's Ubuntu 24.04 runners): the sandbox probe finds it and sees it fail.
 * Put it first on PATH. Without `dir`, a fresh temp directory the caller removes.
 */
export async function refusedBwrapBin(dir?: string): Promise<string> {
  const bin = dir ?? (await mkdtemp(join(tmpdir(), 'omk-no-bwrap-')));
  await mkdir(bin, { recursive: true });
  await scriptFile(
    bin,
    'bwrap',
    '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
  );
  return bin;
}
