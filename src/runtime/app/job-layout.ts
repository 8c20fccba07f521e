/**
 * What the Action's post step needs of the runtime: where a job's state lies and which goal ids
 * and branches are omk's. A front-door API module of its own (beside index.ts) because the post
 * step runs in every job that uses the Action: importing the index would load zod and the whole
 * runtime before its first line (test/action/startup.test.ts checks the bundle).
 */
export { GOAL_ID_PATTERN } from '../goal/ids.js';
export { goalBranchPrefix } from '../graph/branches.js';
export { goalsDir, privateStateDir, workspacesDir } from '../state/paths.js';
