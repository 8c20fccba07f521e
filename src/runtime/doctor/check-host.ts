import type { DoctorCheck, DoctorInput, DoctorProbes, DoctorWords } from './types.js';

/** Variables that carry a GitHub token for delivery. Only their presence is ever reported. */
export const GITHUB_TOKEN_NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'] as const;

export async function checkStateRoot(
  stateRoot: string,
  probes: DoctorProbes,
  words: DoctorWords,
): Promise<DoctorCheck> {
  const base = { id: 'state-root', title: 'state root' };
  const probed = await probes.probeWritableDir(stateRoot);
  if (!probed.ok) {
    return {
      ...base,
      status: 'fail',
      detail: `${stateRoot} is not writable: ${probed.error}`,
      fix: `choose a writable directory with ${words.stateDir} DIR or OMK_STATE_DIR=DIR`,
    };
  }
  const { exists, tested } = probed.value;
  return {
    ...base,
    status: 'ok',
    detail: exists
      ? `${stateRoot} (writable)`
      : `${stateRoot} (does not exist yet; created on first use: ${tested} is writable)`,
  };
}

/**
 * Reported only when a token is present. No network call: the token's permissions are checked
 * when GitHub delivery exists. The value is never read beyond "is it set".
 */
export function checkGithubToken(env: DoctorInput['env'], words: DoctorWords): DoctorCheck | null {
  const present = GITHUB_TOKEN_NAMES.filter((name) => (env[name] ?? '') !== '');
  if (present.length === 0) return null;
  return {
    id: 'github-token',
    title: 'GitHub token',
    status: 'warn',
    detail: `${present.join(' and ')} ${present.length === 1 ? 'is' : 'are'} set: token present; omk uses it for ${words.forge} github and the state branch (docs/github.md lists the permissions it needs)`,
    fix: 'nothing to do for local goals; omk never passes the token to agents or gates',
  };
}
