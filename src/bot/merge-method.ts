import type { MergeMethod } from '../runtime/app/index.js';

/** The methods in the order the bot prefers them when nothing is set: history kept, then squashed. */
const PREFERENCE: readonly MergeMethod[] = ['merge', 'squash', 'rebase'];

export interface MergeMethodChoice {
  method: MergeMethod;
  /** Why this one, for the log. */
  why: string;
}

/**
 * How the bot merges an integrator PR: the repository's setting when the repository allows it,
 * else the first allowed of merge, squash, rebase (GitHub refuses a method it does not allow).
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
