import { UsageError } from '../errors.js';

/** Goal ids are directory names and git ref components: lowercase letters, digits and '-'. */
export const GOAL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

export function slugify(text: string, max: number): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug || 'goal';
}

/** `fix-the-failing-tests-3fa9c1`: readable, unique by its random (or derived) suffix. */
export function newGoalId(goalText: string, suffixHex: string): string {
  return `${slugify(goalText, 32)}-${suffixHex.slice(0, 6).toLowerCase()}`;
}

/** Validates a GOAL_ID given on a command line before it touches the filesystem. */
export function checkGoalRef(ref: string): string {
  const trimmed = ref.trim();
  if (trimmed === 'latest' || GOAL_ID_PATTERN.test(trimmed)) return trimmed;
  throw new UsageError(`'${ref}' is not a goal id.`, {
    hint: [
      "Goal ids look like fix-the-failing-tests-3fa9c1 (or use 'latest'); list them with ",
      { step: 'list' },
      '.',
    ],
  });
}
