/**
 * A slice id doubles as a git ref component in omk/<goal-id>/<slice-id>. Its own module, free of
 * zod, so graph/branches.ts (and what the Action's post step loads through it) stays small.
 */
export const SLICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
