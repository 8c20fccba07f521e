import { z } from 'zod';
import { shownBranch, shownText } from '../../runtime/app/index.js';

/**
 * Zod readers for settings a host is given as strings (an Action's inputs, a deployment's
 * environment variables). Each error opens with the setting's name, says what the value is not
 * (shown escaped: a newline in it cannot start a line of its own) and ends with a correct example
 * in the host's own notation (`dry-run: true`, `OMK_X=1`).
 */
type Read<T> = (raw: string) => { value: T } | { not: string };

function named<T>(name: string, example: string, read: Read<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = read(raw);
    if ('value' in result) return result.value;
    ctx.addIssue({ code: 'custom', message: `${name}: ${result.not}. Example: ${example}` });
    return z.NEVER;
  });
}

/** One of `values`, surrounding spaces aside. */
export function oneOf<const V extends string>(name: string, values: readonly V[], example: string) {
  return named<V>(name, example, (raw) => {
    const value = values.find((allowed) => allowed === raw.trim());
    return value === undefined
      ? { not: `'${shownText(raw)}' is not one of ${values.join(', ')}` }
      : { value };
  });
}

/** `true` or `false` as YAML 1.2 spells them (what @actions/core's getBooleanInput accepts); nothing else. */
export function booleanNamed(name: string, example: string) {
  return named<boolean>(name, example, (raw) => {
    const value = raw.trim();
    if (['true', 'True', 'TRUE'].includes(value)) return { value: true };
    if (['false', 'False', 'FALSE'].includes(value)) return { value: false };
    return { not: `'${shownText(raw)}' is not a boolean: use true or false` };
  });
}

/** A GitHub App id: a positive whole number, as the app's settings page shows it. */
export function appIdNamed(name: string, example: string) {
  return named<number>(name, example, (raw) => {
    const value = raw.trim();
    const id = /^[0-9]{1,12}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(id) && id > 0) return { value: id };
    return { not: `'${shownText(raw)}' is not a GitHub App id (the number on the app's settings page)` };
  });
}

/** A value `pattern` matches, surrounding spaces aside; `what` says what it should be. */
export function matching(name: string, pattern: RegExp, what: string, example: string) {
  return named<string>(name, example, (raw) => {
    const value = raw.trim();
    return pattern.test(value) ? { value } : { not: `'${shownText(value)}' is not ${what}` };
  });
}

/**
 * A branch or path: surrounding spaces go (as @actions/core trims an input), anything else is
 * judged by the runtime's rule `problemOf`, control characters included: `main\n` is not `main`.
 */
export function judged(
  name: string,
  problemOf: (value: string) => string | null,
  what: string,
  example: string,
) {
  return named<string>(name, example, (raw) => {
    const value = raw.replace(/^ +| +$/g, '');
    const problem = problemOf(value);
    return problem === null ? { value } : { not: `'${shownBranch(raw)}' is not ${what}: ${problem}` };
  });
}

/**
 * A setting left blank: empty, or spaces alone (what @actions/core trims from every input). A
 * newline or a tab is not blank: `\n` is a bad value, refused under the setting's name, never
 * read as "not given" and replaced by a default, as the bot reads OMK_STATE_BRANCH.
 */
export const blank = (raw: string) => raw.replace(/^ +| +$/g, '') === '';

/** A setting that may be left blank (not given); anything else must parse. */
export function optional<T extends z.ZodType<unknown, string | undefined>>(schema: T) {
  return z
    .string()
    .transform((value) => (blank(value) ? undefined : value))
    .pipe(schema.optional());
}
