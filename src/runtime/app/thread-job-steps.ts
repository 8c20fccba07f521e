import { isOmkError } from '../errors.js';
import {
  type Access,
  type AccessRequest,
  accessVerdict,
  type PermissionAnswer,
  requiredAccess,
} from './access.js';

/**
 * One command taken from a forge thread, step by step: help needs no one's permission; anything
 * else is checked against the person's access first, then the repository's settings are read
 * (with the writer's answer when the command changes something, so they may be refused), and only
 * then the verb runs. A command on a goal means the goal it names, else the thread's latest one.
 * Every failure of the verb is answered; one that is not an expected refusal is thrown on too (a
 * bug to log). The host does each step (a port) and words each answer.
 */
export type ThreadJobCommand = AccessRequest &
  ({ kind: 'help' | 'run' | 'fix' } | { kind: string; goalRef: string | null });

export interface ThreadJobPort<S> {
  help(): Promise<unknown>;
  permission(): Promise<PermissionAnswer>;
  refuse(need: Access): Promise<unknown>;
  /** The repository's settings; null when they could not be read (the host has answered). */
  settings(writer: PermissionAnswer | null): Promise<S | null>;
  fix(settings: S): Promise<unknown>;
  start(settings: S): Promise<unknown>;
  /** The goal of the thread's newest status, or null when the thread started none. */
  latestGoal(): Promise<string | null>;
  noGoal(): Promise<unknown>;
  onGoal(goalId: string, settings: S): Promise<unknown>;
  failed(error: unknown): Promise<unknown>;
}

export async function threadJobSteps<S>(port: ThreadJobPort<S>, command: ThreadJobCommand): Promise<void> {
  const need = requiredAccess(command);
  if (need === 'none') {
    await port.help();
    return;
  }
  const answer = await port.permission();
  const access = accessVerdict(command, answer);
  if (!access.allowed) {
    await port.refuse(access.need);
    return;
  }
  const settings = await port.settings(need === 'write' ? answer : null);
  if (settings === null) return;
  if (command.kind === 'fix') {
    await port.fix(settings);
    return;
  }
  try {
    if (command.kind === 'run') await port.start(settings);
    else if ('goalRef' in command) {
      const goalId = command.goalRef ?? (await port.latestGoal());
      await (goalId === null ? port.noGoal() : port.onGoal(goalId, settings));
    }
  } catch (error) {
    await port.failed(error);
    // Expected refusals are answered; anything else is also a bug to log.
    if (!isOmkError(error)) throw error;
  }
}
