import { execFile } from 'node:child_process';
import { fileState } from '../../runtime/doctor/path-lookup.js';
import { PERL_PROBE, PERL_SUBREAPER } from './subreaper-script.js';

/** The prctl(2) syscall number per Node architecture (asm-generic for arm64, riscv64, loong64). */
const PRCTL: Partial<Record<NodeJS.Architecture, number>> = {
  x64: 157,
  arm64: 167,
  riscv64: 167,
  loong64: 167,
  ia32: 172,
  arm: 172,
  ppc64: 171,
  s390x: 172,
};

/** Where perl is looked for: the system's own, never the agent's PATH. */
const PERLS = ['/usr/bin/perl', '/bin/perl'];

export type SubreaperAvailability =
  | { available: true; tool: string; prefix(graceMs: number): string[] }
  | { available: false; reason: string; hint: string };

export interface SubreaperHost {
  platform: NodeJS.Platform;
  arch: NodeJS.Architecture;
  /** Candidate perl paths, first executable wins. */
  perls: readonly string[];
}

const HINT = 'install perl (perl-base on Debian/Ubuntu, perl on Fedora/Alpine)';

/**
 * Finds the subreaper this host can run every unsandboxed process under: Linux, a known prctl
 * number, a system perl, and prctl(PR_SET_CHILD_SUBREAPER) allowed (probed once by running it).
 */
export async function probeSubreaper(
  host: SubreaperHost = { platform: process.platform, arch: process.arch, perls: PERLS },
): Promise<SubreaperAvailability> {
  if (host.platform !== 'linux') {
    return {
      available: false,
      reason: `${host.platform} has no child subreaper (Linux only)`,
      hint: 'run agents sandboxed or on Linux',
    };
  }
  const nr = PRCTL[host.arch];
  if (nr === undefined) {
    return { available: false, reason: `the prctl syscall number of ${host.arch} is not known`, hint: HINT };
  }
  let perl: string | null = null;
  for (const candidate of host.perls) {
    if ((await fileState(candidate)) === 'ok') {
      perl = candidate;
      break;
    }
  }
  if (perl === null) return { available: false, reason: `no perl at ${host.perls.join(' or ')}`, hint: HINT };
  const refused = await runs(perl, ['-e', PERL_PROBE, String(nr)]);
  if (refused !== null) {
    return {
      available: false,
      reason: `prctl(PR_SET_CHILD_SUBREAPER) failed: ${refused}`,
      hint: 'allow prctl in this host’s seccomp profile, or run agents sandboxed',
    };
  }
  const tool = perl;
  return {
    available: true,
    tool: `${tool} (prctl ${nr})`,
    prefix: (graceMs) => [tool, '-e', PERL_SUBREAPER, String(nr), String(Math.max(0, Math.round(graceMs)))],
  };
}

function runs(file: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error) => {
      resolve(error === null ? null : error.message.split('\n')[0] || 'it did not exit 0');
    });
  });
}

let probed: Promise<SubreaperAvailability> | null = null;

/** This host's subreaper, probed on first use and remembered. */
export function hostSubreaper(): Promise<SubreaperAvailability> {
  probed ??= probeSubreaper();
  return probed;
}
