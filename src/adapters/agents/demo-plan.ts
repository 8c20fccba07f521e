import { GOAL_CLASSES, type GoalClass } from '../../runtime/goal/schema.js';
import { PLAN_REPLY_VERSION, type PlanReply, type PlanSlice } from '../../runtime/plan/agent-reply.js';
import { isTestPath } from '../../runtime/plan/discover.js';

// How the built-in demo agent answers a planning prompt: from the prompt alone (the goal, its class,
// the proof it needs and the repository map), by fixed rules, so the offline demo goes through the
// agent planner like a real agent would. It is not an AI: a goal its rules cannot split is refused,
// and omk's heuristic plans it instead.

const MAX_ID_WORDS_CHARS = 40;

export type DemoPlan = { ok: true; reply: PlanReply } | { ok: false; why: string };

interface PromptFacts {
  goal: string;
  goalClass: GoalClass | null;
  checks: string[];
  files: string[];
}

function readPrompt(prompt: string): PromptFacts | null {
  const goal = /^Goal: (.+)$/m.exec(prompt)?.[1]?.trim();
  if (goal === undefined) return null;
  const named = /^Goal class: (\S+)/m.exec(prompt)?.[1];
  const goalClass = GOAL_CLASSES.find((c) => c === named) ?? null;
  const proof = /Proof required: (.*)$/m.exec(prompt)?.[1]?.trim() ?? 'none';
  const checks = proof === 'none' ? [] : proof.split(' | ');
  const listing = prompt.split(/^Files \(path, size, language — exported symbols\):$/m)[1] ?? '';
  const files: string[] = [];
  for (const line of listing.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('(')) break;
    const path = line.split(' ')[0];
    if (path !== undefined && path !== '') files.push(path);
  }
  return { goal, goalClass, checks, files };
}

function stem(path: string): string {
  const base = path.split('/').at(-1) ?? path;
  return base
    .replace(/^test_/, '')
    .replace(/\.[^.]+$/, '')
    .replace(/[._-](test|spec)$/, '');
}

function mentions(text: string, path: string): boolean {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s\`'"(])${escaped}($|[\\s\`'",.;:)])`).test(text);
}

function idFor(number: number, clause: string): string {
  const words = clause
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_ID_WORDS_CHARS)
    .replace(/-+$/, '');
  return `s${number}-${words || 'slice'}`;
}

function titleOf(clause: string): string {
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}

/**
 * The demo agent's plan: each clause of the goal ("… and …") that names files of the repository
 * is an implementer slice writing them (their tests are the tests it must pass); a clause about
 * tests that names no file is a test slice writing the tests of the slice before it, after it.
 */
export function demoPlan(prompt: string): DemoPlan {
  const facts = readPrompt(prompt);
  if (facts === null) return { ok: false, why: 'the prompt holds no "Goal:" line' };
  if (facts.goalClass === null) {
    return { ok: false, why: 'the demo agent plans only goals omk could classify; it does not judge goals' };
  }
  const sources = facts.files.filter((path) => !isTestPath(path));
  const tests = facts.files.filter(isTestPath);
  const testsOf = (files: readonly string[]) =>
    tests.filter((test) => files.some((file) => stem(file) === stem(test)));
  const clauses = facts.goal
    .split(/\s+and\s+|;\s*/)
    .map((clause) => clause.trim().replace(/[.!]+$/, ''))
    .filter((clause) => clause !== '');
  const slices: PlanSlice[] = [];
  for (const clause of clauses) {
    const id = idFor(slices.length + 1, clause);
    const named = sources.filter((path) => mentions(clause, path));
    if (named.length > 0) {
      const own = testsOf(named);
      slices.push({
        id,
        title: titleOf(clause),
        role: 'implementer',
        reads: [...new Set([...named, ...own])].sort(),
        writes: named,
        dependsOn: [],
        acceptance: [`Done when: ${clause}`, ...facts.checks],
        tests: own,
        risk: 'medium',
        why: `the goal names ${named.join(', ')}`,
      });
      continue;
    }
    const previous = slices.at(-1);
    const writes = previous === undefined ? [] : testsOf(previous.writes);
    if (previous !== undefined && /\btests?\b/i.test(clause) && writes.length > 0) {
      // The pair shows the change: omk's plan check (runtime/plan/slice-tests.ts) tells the
      // implementer that this slice writes the tests its class asks for.
      slices.push({
        id,
        title: titleOf(clause),
        role: 'test-author',
        reads: previous.writes,
        writes,
        dependsOn: [previous.id],
        acceptance: [
          `Tests in ${writes.join(', ')} cover: ${clause}`,
          `The new tests fail on the base commit and pass with ${previous.id} applied`,
          'Every test that passes on the base commit still passes on the head commit',
        ],
        tests: writes,
        risk: 'low',
        why: `${writes.join(', ')} ${writes.length === 1 ? 'holds' : 'hold'} the tests of ${previous.writes.join(', ')}`,
      });
      continue;
    }
    return { ok: false, why: `the demo agent cannot plan "${clause}": it names no file of the repository` };
  }
  return {
    ok: true,
    reply: {
      version: PLAN_REPLY_VERSION,
      classification: {
        class: facts.goalClass,
        why: `the demo agent keeps the class omk found (${facts.goalClass}); it is not an AI`,
      },
      slices,
      notes: ['planned by the built-in demo agent from the files the goal names (deterministic, not an AI)'],
    },
  };
}
