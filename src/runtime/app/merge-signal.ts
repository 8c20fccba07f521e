import type { MergeMethod } from '../forge/port.js';
import { INTEGRATION_ID, parseOmkBranch } from '../graph/branches.js';

/** Goal ids of the integrator branches among `branches` (`omk/<goal-id>/integration`), once each: the goals a check, status or review signal touches. */
export function integratorGoals(branches: Iterable<string | null | undefined>): string[] {
  const goals = new Set<string>();
  for (const branch of branches) {
    const parsed = branch ? parseOmkBranch(branch) : null;
    if (parsed?.sliceId === INTEGRATION_ID) goals.add(parsed.goalId);
  }
  return [...goals];
}

/** The methods in the order a host prefers them when nothing is set: history kept, then squashed. */
const PREFERENCE: readonly MergeMethod[] = ['merge', 'squash', 'rebase'];

export interface MergeMethodChoice {
  method: MergeMethod;
  /** Why this one, for the log. */
  why: string;
}

/**
 * How an integrator PR is merged on a forge that reports its allowed methods: the repository's
 * setting when the repository allows it, else the first allowed of merge, squash, rebase (GitHub
 * refuses a method it does not allow).
 */
export function chooseMergeMethod(
  allowed: readonly MergeMethod[],
  setting: MergeMethod | null = null,
): MergeMethodChoice {
  if (setting !== null && allowed.includes(setting))
    return { method: setting, why: 'the repository setting' };
  const first = PREFERENCE.find((method) => allowed.includes(method));
  const fallback = setting === null ? '' : `; the setting ${setting} is not allowed there`;
  if (first === undefined)
    return { method: 'merge', why: `the repository allows no merge method GitHub reports${fallback}` };
  return { method: first, why: `the first method the repository allows (${allowed.join(', ')})${fallback}` };
}
