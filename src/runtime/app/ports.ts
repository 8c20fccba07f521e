// What a front door composes the use cases from: the ports, the goal store and the planner, the
// state root, the config.

export {
  type LoadedConfig,
  loadConfig,
  loadNamedConfig,
  type NamedConfig,
  parseConfig,
} from '../config/load.js';
export type { DoctorCheck, DoctorReport, DoctorWords } from '../doctor/types.js';
export type { Annotation, Forge, MergeMethod, RepoCoordinates } from '../forge/port.js';
export { goalReconciler } from '../goal/reconcile.js';
export { GoalStore } from '../goal/store.js';
export { heuristicPlanner } from '../plan/heuristic.js';
export type { Planner } from '../plan/planner.js';
export { type Clock, type HostInfo, type RepoPort, type Reporter, systemClock } from '../ports.js';
/** Which of a door's own environment variables are secrets, to scrub from its start-up block. */
export { isSecretEnvName } from '../secrets/scrub.js';
export { resolveStateRoot } from '../state/paths.js';
export type { RemoteStateStore } from '../state/remote.js';
export type { HostVocabulary } from './vocabulary.js';
