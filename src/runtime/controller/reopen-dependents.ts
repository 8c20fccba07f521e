import type { Task } from '../graph/schema.js';
import type { Reopening } from './reopen.js';

/**
 * The slices an until-ready run reopens, in the order they are added. A slice added with the done
 * slices built on it (`addWithDependents`) is followed by them: their branches hold its old head,
 * so each runs again after it, in its round, from its new head (`dependencyRedone`), told first
 * which slice runs again before it; one reopened for its own reasons too keeps them. The order in
 * which slices are added does not change what each becomes.
 */
export class Reopenings {
  private readonly order: string[] = [];
  private readonly own = new Map<string, Reopening>();
  /** A dependent's first reopened slice it is built on. */
  private readonly after = new Map<string, Reopening>();

  has(id: string): boolean {
    return this.own.has(id) || this.after.has(id);
  }

  add(reopening: Reopening): void {
    if (!this.has(reopening.taskId)) this.order.push(reopening.taskId);
    this.own.set(reopening.taskId, reopening);
  }

  addWithDependents(reopening: Reopening, dependents: readonly Task[]): void {
    this.add(reopening);
    for (const dependent of dependents) {
      if (!this.has(dependent.id)) this.order.push(dependent.id);
      if (!this.after.has(dependent.id)) this.after.set(dependent.id, reopening);
    }
  }

  list(): Reopening[] {
    return this.order.flatMap((id): Reopening[] => {
      const own = this.own.get(id);
      const first = this.after.get(id);
      if (first === undefined) return own === undefined ? [] : [own];
      const told = `slice ${first.taskId}, which this slice is built on, runs again first (${first.detail}); this slice starts again from its new head.`;
      if (own !== undefined) {
        // Without evidence of its own, its record already says why: that stays its prompt's text.
        const evidence = own.evidence === undefined ? {} : { evidence: `${told}\n\n${own.evidence}` };
        return [{ ...own, ...evidence, dependencyRedone: true }];
      }
      return [
        {
          taskId: id,
          why: 'dependency_reopened',
          detail: first.taskId,
          newRound: first.newRound,
          evidence: first.evidence === undefined ? told : `${told}\n\n${first.evidence}`,
          dependencyRedone: true,
        },
      ];
    });
  }
}

/** The done slices built on `id`, directly or through other done slices. */
export function doneDependents(tasks: readonly Task[], id: string): Task[] {
  const found = new Map<string, Task>();
  const queue = [id];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const task of tasks) {
      if (task.status !== 'done' || found.has(task.id) || !task.dependsOn.includes(next)) continue;
      found.set(task.id, task);
      queue.push(task.id);
    }
  }
  return [...found.values()];
}
