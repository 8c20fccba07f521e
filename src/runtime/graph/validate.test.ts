import { describe, expect, it } from 'vitest';
import type { Task, TaskDraft } from './schema.js';
import { taskSchema } from './schema.js';
import { validateAddition, validateTaskGraph } from './validate.js';

function draft(id: string, fields: Partial<TaskDraft> = {}): TaskDraft {
  return {
    id,
    title: `Task ${id}`,
    description: `Do ${id}`,
    ownerRole: 'implementer',
    dependsOn: [],
    reads: [],
    writes: [`src/${id}`],
    risk: 'low',
    acceptance: [`${id} works`],
    budget: { timeMs: 60_000, tokens: null, usd: null },
    maxRetries: 1,
    ...fields,
  };
}

function ids(tasks: readonly Task[]): string[] {
  return tasks.map((task) => task.id);
}

function codes(drafts: readonly TaskDraft[], options = {}): Record<string, string> {
  const result = validateTaskGraph(drafts, options);
  return Object.fromEntries(result.rejected.map((r) => [r.taskId, r.code]));
}

function reasonFor(drafts: readonly TaskDraft[], id: string, options = {}): string {
  const rejection = validateTaskGraph(drafts, options).rejected.find((r) => r.taskId === id);
  if (rejection === undefined) throw new Error(`task ${id} was not rejected`);
  return rejection.reason;
}

describe('validateTaskGraph: accepted tasks', () => {
  it('returns pending tasks with normalized, deduplicated, sorted paths and copied fields', () => {
    const input = draft('api', {
      dependsOn: [],
      writes: ['src/b.ts', './src/a.ts', 'src//a.ts'],
      reads: ['docs/', 'README.md'],
    });
    const extra = { ...input, status: 'done', attempts: 7, injected: 'x' } as TaskDraft;
    const { tasks, rejected } = validateTaskGraph([extra]);
    expect(rejected).toEqual([]);
    expect(tasks).toEqual([
      {
        id: 'api',
        title: 'Task api',
        description: 'Do api',
        ownerRole: 'implementer',
        dependsOn: [],
        reads: ['README.md', 'docs'],
        writes: ['src/a.ts', 'src/b.ts'],
        risk: 'low',
        acceptance: ['api works'],
        budget: { timeMs: 60_000, tokens: null, usd: null },
        maxRetries: 1,
        status: 'pending',
        attempts: 0,
      },
    ]);
    const task = tasks[0];
    expect(taskSchema.parse(task)).toEqual(task);
    expect(task?.acceptance).not.toBe(input.acceptance);
    expect(task?.budget).not.toBe(input.budget);
  });

  it('deduplicates dependencies and keeps input order of tasks', () => {
    const { tasks, rejected } = validateTaskGraph([
      draft('b', { dependsOn: ['a', 'a'] }),
      draft('a'),
      draft('c', { dependsOn: ['b'] }),
    ]);
    expect(rejected).toEqual([]);
    expect(ids(tasks)).toEqual(['b', 'a', 'c']);
    expect(tasks[0]?.dependsOn).toEqual(['a']);
  });

  it('is deterministic: same input, same output, independent of object identity', () => {
    const make = () => [
      draft('a', { writes: ['src'] }),
      draft('b', { writes: ['src/x.ts'] }),
      draft('c', { dependsOn: ['b'] }),
      draft('d', { dependsOn: ['d'] }),
    ];
    const first = validateTaskGraph(make());
    const second = validateTaskGraph(structuredClone(make()));
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('accepts an empty plan', () => {
    expect(validateTaskGraph([])).toEqual({ tasks: [], rejected: [] });
  });
});

describe('validateTaskGraph: ids', () => {
  it('rejects the second occurrence of an id and keeps the first', () => {
    const { tasks, rejected } = validateTaskGraph([draft('a'), draft('b'), draft('a', { writes: ['lib'] })]);
    expect(ids(tasks)).toEqual(['a', 'b']);
    expect(tasks[0]?.writes).toEqual(['src/a']);
    expect(rejected).toEqual([
      {
        taskId: 'a',
        code: 'duplicate_id',
        reason: 'task id "a" is already used by task #1 in the plan; give each task its own id',
      },
    ]);
  });

  it.each(['', 'A', 'has space', '-lead', 'a_b', 'a/b', 'x'.repeat(64), 'a\u202eb', 'é'])(
    'rejects invalid id %j',
    (id) => {
      const { tasks, rejected } = validateTaskGraph([draft(id, { writes: ['x'] })]);
      expect(tasks).toEqual([]);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.code).toBe('invalid_id');
      expect(rejected[0]?.reason).toContain('is not a valid slice id');
    },
  );

  it('escapes invisible characters of an invalid id in the reason', () => {
    expect(reasonFor([draft('a\u202eb')], 'a\u202eb')).toContain('"a\\u{202E}b"');
  });

  it('accepts the longest valid id', () => {
    expect(ids(validateTaskGraph([draft('x'.repeat(63))]).tasks)).toEqual(['x'.repeat(63)]);
  });
});

describe('validateTaskGraph: dependencies and cycles', () => {
  it('rejects a missing dependency with the missing id', () => {
    const drafts = [draft('a', { dependsOn: ['ghost'] }), draft('b')];
    expect(codes(drafts)).toEqual({ a: 'missing_dependency' });
    expect(reasonFor(drafts, 'a')).toContain('depends on "ghost", which is not a task in this graph');
  });

  it('rejects a self-loop', () => {
    const drafts = [draft('a', { dependsOn: ['a'] })];
    expect(codes(drafts)).toEqual({ a: 'cycle' });
    expect(reasonFor(drafts, 'a')).toContain('dependency cycle: a -> a;');
  });

  it('rejects both tasks of a 2-cycle, each naming the cycle from itself', () => {
    const drafts = [draft('a', { dependsOn: ['b'] }), draft('b', { dependsOn: ['a'] })];
    expect(codes(drafts)).toEqual({ a: 'cycle', b: 'cycle' });
    expect(reasonFor(drafts, 'a')).toContain('a -> b -> a');
    expect(reasonFor(drafts, 'b')).toContain('b -> a -> b');
  });

  it('rejects every task of a 3-cycle; an innocent task survives', () => {
    const drafts = [
      draft('innocent'),
      draft('a', { dependsOn: ['c'] }),
      draft('b', { dependsOn: ['a', 'innocent'] }),
      draft('c', { dependsOn: ['b'] }),
    ];
    const { tasks, rejected } = validateTaskGraph(drafts);
    expect(ids(tasks)).toEqual(['innocent']);
    expect(rejected.map((r) => [r.taskId, r.code])).toEqual([
      ['a', 'cycle'],
      ['b', 'cycle'],
      ['c', 'cycle'],
    ]);
    expect(rejected[0]?.reason).toContain('a -> c -> b -> a');
  });

  it('reports the cycle even when a member also failed another check', () => {
    const drafts = [draft('a', { dependsOn: ['b'], writes: ['../x'] }), draft('b', { dependsOn: ['a'] })];
    expect(codes(drafts)).toEqual({ a: 'unsafe_path', b: 'cycle' });
    expect(reasonFor(drafts, 'b')).toContain('b -> a -> b');
  });

  it('cascades rejection to dependents, transitively, naming the rejected dependency', () => {
    const drafts = [
      draft('bad', { writes: ['/etc'] }),
      draft('mid', { dependsOn: ['bad'] }),
      draft('leaf', { dependsOn: ['mid'] }),
      draft('other'),
      draft('after-cycle', { dependsOn: ['loop'] }),
      draft('loop', { dependsOn: ['loop'] }),
    ];
    const { tasks } = validateTaskGraph(drafts);
    expect(ids(tasks)).toEqual(['other']);
    expect(codes(drafts)).toEqual({
      bad: 'unsafe_path',
      mid: 'rejected_dependency',
      leaf: 'rejected_dependency',
      'after-cycle': 'rejected_dependency',
      loop: 'cycle',
    });
    expect(reasonFor(drafts, 'mid')).toBe(
      'depends on "bad", which was rejected (unsafe_path); fix that task first',
    );
    expect(reasonFor(drafts, 'leaf')).toContain('"mid", which was rejected (rejected_dependency)');
  });

  it('a dependency on an invalid id is a rejected dependency, not a missing one', () => {
    expect(codes([draft('Bad'), draft('a', { dependsOn: ['Bad'] })])).toEqual({
      Bad: 'invalid_id',
      a: 'rejected_dependency',
    });
  });

  it('a dependency on a duplicated id resolves to the first, accepted occurrence', () => {
    const { tasks } = validateTaskGraph([draft('a'), draft('a'), draft('b', { dependsOn: ['a'] })]);
    expect(ids(tasks)).toEqual(['a', 'b']);
  });
});

describe('validateTaskGraph: paths', () => {
  it('rejects unsafe read and write paths, listing each with its reason', () => {
    const drafts = [draft('a', { writes: ['src', '../up'], reads: ['.git/config'] })];
    expect(codes(drafts)).toEqual({ a: 'unsafe_path' });
    expect(reasonFor(drafts, 'a')).toBe(
      'write path "../up" climbs out of the repository with ".."; ' +
        'read path ".git/config" points into the .git directory (or a name Windows treats as .git), which no task may touch',
    );
  });

  it('rejects writes to protected paths unless the plan allows them', () => {
    const drafts = [draft('ci', { writes: ['.github/workflows/ci.yml'] })];
    expect(codes(drafts)).toEqual({ ci: 'protected_path' });
    expect(reasonFor(drafts, 'ci')).toContain('write path ".github/workflows/ci.yml" is protected');
    const allowed = validateTaskGraph(drafts, { allowedProtectedPaths: ['.github/workflows/ci.yml'] });
    expect(allowed.rejected).toEqual([]);
    expect(allowed.tasks[0]?.writes).toEqual(['.github/workflows/ci.yml']);
  });

  it('allows reading protected paths and writing paths that merely cover them', () => {
    const { rejected } = validateTaskGraph([draft('a', { writes: ['.'], reads: ['.env'] })]);
    expect(rejected).toEqual([]);
  });
});

describe('validateTaskGraph: conflicts', () => {
  it.each([
    [
      'same file',
      ['src/a.ts'],
      [],
      ['./src//a.ts'],
      [],
      'writes "src/a.ts" while task "first" writes "src/a.ts"',
    ],
    ['parent directory', ['src'], [], ['src/a.ts'], [], 'writes "src/a.ts" while task "first" writes "src"'],
    [
      'child path',
      ['src/a/b.ts'],
      [],
      ['src/a'],
      [],
      'writes "src/a" while task "first" writes "src/a/b.ts"',
    ],
    ['write vs read', [], ['src/a.ts'], ['src'], [], 'writes "src" while task "first" reads "src/a.ts"'],
    ['read vs write', ['docs'], [], [], ['docs/x.md'], 'reads "docs/x.md" while task "first" writes "docs"'],
    [
      '"." vs anything',
      ['.'],
      [],
      ['deep/file.ts'],
      [],
      'writes "deep/file.ts" while task "first" writes "."',
    ],
    ['read "." vs write', [], ['.'], ['x'], [], 'writes "x" while task "first" reads "."'],
  ])(
    '%s: the later task is rejected',
    (_name, firstWrites, firstReads, secondWrites, secondReads, fragment) => {
      const drafts = [
        draft('first', { writes: firstWrites, reads: firstReads }),
        draft('second', { writes: secondWrites, reads: secondReads }),
      ];
      const { tasks, rejected } = validateTaskGraph(drafts);
      expect(ids(tasks)).toEqual(['first']);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.taskId).toBe('second');
      expect(rejected[0]?.code).toBe('conflict');
      expect(rejected[0]?.reason).toContain(fragment);
      expect(rejected[0]?.reason).toContain('neither depends on the other');
    },
  );

  it('allows read against read, including "."', () => {
    const drafts = [
      draft('a', { writes: [], reads: ['.'] }),
      draft('b', { writes: [], reads: ['src/a.ts'] }),
      draft('c', { writes: [], reads: ['src'] }),
    ];
    expect(validateTaskGraph(drafts).rejected).toEqual([]);
  });

  it('allows overlap when a dependency orders the tasks, directly or transitively', () => {
    const drafts = [
      draft('a', { writes: ['src'] }),
      draft('b', { dependsOn: ['a'], writes: ['lib'] }),
      draft('c', { dependsOn: ['b'], writes: ['src/a.ts'] }),
      draft('d', { dependsOn: ['c'], reads: ['.'], writes: [] }),
    ];
    const { tasks, rejected } = validateTaskGraph(drafts);
    expect(rejected).toEqual([]);
    expect(ids(tasks)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('siblings ordered only through a shared ancestor still conflict', () => {
    const drafts = [
      draft('root', { writes: ['x'] }),
      draft('left', { dependsOn: ['root'], writes: ['shared'] }),
      draft('right', { dependsOn: ['root'], writes: ['shared/y'] }),
    ];
    expect(codes(drafts)).toEqual({ right: 'conflict' });
    expect(reasonFor(drafts, 'right')).toContain('task "left"');
  });

  it('only tasks still accepted cause conflicts', () => {
    // b loses to a; c overlaps only b, so c survives.
    const drafts = [
      draft('a', { writes: ['src/a'] }),
      draft('b', { writes: ['src'] }),
      draft('c', { writes: ['src/c'] }),
    ];
    expect(codes(drafts)).toEqual({ b: 'conflict' });
    expect(ids(validateTaskGraph(drafts).tasks)).toEqual(['a', 'c']);
  });

  it('a task rejected for a conflict cascades to its dependents', () => {
    const drafts = [
      draft('a', { writes: ['src'] }),
      draft('b', { writes: ['src/b'] }),
      draft('c', { dependsOn: ['b'], writes: ['lib'] }),
    ];
    expect(codes(drafts)).toEqual({ b: 'conflict', c: 'rejected_dependency' });
  });

  it('with dependencies listed after their dependents, tasks are decided in dependency order', () => {
    // x depends on z (listed last), so z and y are decided before x: x is the later one.
    const drafts = [
      draft('x', { dependsOn: ['z'], writes: ['shared'] }),
      draft('y', { writes: ['shared/file'] }),
      draft('z', { writes: ['other'] }),
    ];
    expect(codes(drafts)).toEqual({ x: 'conflict' });
    expect(reasonFor(drafts, 'x')).toContain('task "y"');
  });

  it('compares paths case-insensitively, as macOS and Windows checkouts do', () => {
    expect(codes([draft('a', { writes: ['Src/App.ts'] }), draft('b', { writes: ['src/app.ts'] })])).toEqual({
      b: 'conflict',
    });
  });
});

describe('validateTaskGraph: budget', () => {
  it('rejects a task whose time budget exceeds the limit, and accepts one at the limit', () => {
    const drafts = [
      draft('slow', { budget: { timeMs: 600_001, tokens: null, usd: null } }),
      draft('ok', { budget: { timeMs: 600_000, tokens: 10, usd: 1 } }),
    ];
    expect(codes(drafts, { maxTaskTimeMs: 600_000 })).toEqual({ slow: 'budget' });
    expect(reasonFor(drafts, 'slow', { maxTaskTimeMs: 600_000 })).toBe(
      'budget.timeMs 600001 exceeds the per-task limit of 600000 ms; lower it or split the task',
    );
    expect(codes(drafts, { maxTaskTimeMs: null })).toEqual({});
    expect(codes(drafts)).toEqual({});
  });
});

describe('validateAddition', () => {
  const graph = validateTaskGraph([
    draft('core', { writes: ['src/core'] }),
    draft('api', { dependsOn: ['core'], writes: ['src/api'] }),
    draft('ui', { writes: ['web'] }),
  ]).tasks;

  it('accepts a follow-up ordered after the tasks it overlaps', () => {
    const result = validateAddition(
      graph,
      draft('api-tests', { dependsOn: ['api'], writes: ['src/api/x.test.ts', './src/core/'] }),
    );
    expect(result).toEqual({
      task: expect.objectContaining({
        id: 'api-tests',
        dependsOn: ['api'],
        writes: ['src/api/x.test.ts', 'src/core'],
        status: 'pending',
        attempts: 0,
      }),
    });
  });

  it.each([
    ['invalid_id', draft('Bad Id'), 'is not a valid slice id'],
    ['duplicate_id', draft('api'), 'already used by an existing task in the graph'],
    ['missing_dependency', draft('n', { dependsOn: ['ghost'] }), 'depends on "ghost"'],
    ['cycle', draft('n', { dependsOn: ['n'] }), 'n -> n'],
    ['unsafe_path', draft('n', { writes: ['C:/x'] }), 'drive letter'],
    ['protected_path', draft('n', { writes: ['.npmrc'] }), 'credential files'],
    [
      'budget',
      draft('n', { budget: { timeMs: 2, tokens: null, usd: null } }),
      'exceeds the per-task limit of 1 ms',
    ],
    ['conflict', draft('n', { writes: ['web/app.ts'] }), 'task "ui" writes "web"'],
    ['conflict', draft('n', { dependsOn: ['ui'], reads: ['src'] }), 'task "core" writes "src/core"'],
  ])('rejects with %s', (code, input, fragment) => {
    const result = validateAddition(graph, input, { maxTaskTimeMs: code === 'budget' ? 1 : null });
    if (!('rejection' in result)) throw new Error('expected a rejection');
    expect(result.rejection.taskId).toBe(input.id);
    expect(result.rejection.code).toBe(code);
    expect(result.rejection.reason).toContain(fragment);
  });

  it('honours allowed protected paths', () => {
    const result = validateAddition(graph, draft('wf', { writes: ['.github/workflows/x.yml'] }), {
      allowedProtectedPaths: ['.github/workflows'],
    });
    expect('task' in result).toBe(true);
  });

  it('treats transitive dependencies as ordered', () => {
    // Depends on api, which depends on base: may overlap both.
    const result = validateAddition(graph, draft('n', { dependsOn: ['api'], writes: ['src'] }));
    expect('task' in result).toBe(true);
  });

  it('checks finished tasks too: their branches still merge beside the new one', () => {
    const done = graph.map((task) => ({ ...task, status: 'done' as const }));
    const result = validateAddition(done, draft('n', { writes: ['web'] }));
    expect(result).toEqual({ rejection: expect.objectContaining({ code: 'conflict' }) });
  });
});

describe('reserved slice ids', () => {
  it.each(['base', 'integration', 'fix-1', 'fix-12'])(
    "rejects %s, which names one of omk's own branches or review fixes",
    (id) => {
      const { tasks, rejected } = validateTaskGraph([draft(id, { writes: ['src'] })]);
      expect(tasks).toEqual([]);
      expect(rejected).toEqual([
        expect.objectContaining({
          taskId: id,
          code: 'invalid_id',
          reason: expect.stringContaining('reserved'),
        }),
      ]);
    },
  );
});
