// A job's checkout and state store are host plumbing: adapters/bot/workspace.ts.
export {
  bringGoalHere,
  type Workspace,
  type WorkspaceSpec,
  withWorkspace,
} from '../adapters/bot/workspace.js';
