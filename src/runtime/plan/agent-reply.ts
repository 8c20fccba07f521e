import { z } from 'zod';
import { GOAL_CLASSES } from '../goal/schema.js';
import { normalizeRepoPath, quoteUntrusted } from '../graph/paths.js';
import { protectedWriteViolation } from '../graph/protected.js';
import { RISKS, SLICE_ID_PATTERN } from '../graph/schema.js';

// The task graph a planning agent answers with: a strict, versioned schema. The reply is
// untrusted: this file parses it and checks what zod cannot (paths against the repository); the
// graph validator then decides cycles, protected paths and conflicts like for any planner.

/** 2: the reply also classifies the goal (`classification`). */
export const PLAN_REPLY_VERSION = 2;
export const PLAN_ROLES = ['implementer', 'test-author', 'docs-writer'] as const;
const MAX_SLICES = 8;

const path = z.string().min(1).max(300);
/** Text that ends up in the plan, PR bodies and logs: one line, no control characters. */
const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'one line without control characters');

export const planSliceSchema = z.strictObject({
  id: z
    .string()
    .regex(SLICE_ID_PATTERN, 'lowercase letters, digits and "-", at most 63, e.g. "s1-fix-parser"'),
  title: line(200),
  role: z.enum(PLAN_ROLES),
  /** Files or directories the slice needs to read. */
  reads: z.array(path).max(50),
  /** Files or directories the slice may change; new files are allowed under existing directories. */
  writes: z.array(path).min(1).max(50),
  dependsOn: z.array(z.string()).max(MAX_SLICES),
  acceptance: z.array(line(500)).min(1).max(20),
  /** Test files the slice must make pass or add. */
  tests: z.array(path).max(20),
  risk: z.enum(RISKS),
  /** Why these files: shown in the plan so a wrong plan is easy to spot. */
  why: line(500).optional(),
});
export type PlanSlice = z.infer<typeof planSliceSchema>;

export const PLAN_CLASSES = [...GOAL_CLASSES, 'untestable'] as const;

/** What kind of goal this is; `untestable` names the questions a human must answer first. */
export const planClassificationSchema = z
  .strictObject({
    class: z.enum(PLAN_CLASSES),
    why: line(500),
    questions: z.array(line(500)).max(10).optional(),
  })
  .refine((c) => c.class !== 'untestable' || (c.questions?.length ?? 0) > 0, {
    message: 'an untestable goal needs at least one question a human must answer',
    path: ['questions'],
  });
export type PlanClassification = z.infer<typeof planClassificationSchema>;

export const planReplySchema = z
  .strictObject({
    version: z.literal(PLAN_REPLY_VERSION),
    classification: planClassificationSchema,
    /** Empty only for an untestable goal: nothing is planned until a human answers. */
    slices: z.array(planSliceSchema).max(MAX_SLICES),
    notes: z.array(line(500)).max(20).optional(),
  })
  .refine((r) => r.classification.class === 'untestable' || r.slices.length > 0, {
    message: 'at least one slice, unless the goal is untestable',
    path: ['slices'],
  });
export type PlanReply = z.infer<typeof planReplySchema>;

/** What the agent is shown: the schema as an example it can copy. */
export const PLAN_REPLY_EXAMPLE = JSON.stringify(
  {
    version: PLAN_REPLY_VERSION,
    classification: {
      class: 'fix',
      why: 'parse_header has a bug the goal describes; a failing test shows it',
    },
    slices: [
      {
        id: 's1-fix-parse-header',
        title: 'Fix parse_header dropping the last field',
        role: 'implementer',
        reads: ['pkg/headers.py'],
        writes: ['pkg/headers.py', 'tests/test_headers.py'],
        dependsOn: [],
        acceptance: ['parse_header("a: b") returns both fields', 'tests/test_headers.py passes'],
        tests: ['tests/test_headers.py'],
        risk: 'medium',
        why: 'pkg/headers.py defines parse_header',
      },
    ],
    notes: ['one slice: the change is local to one function'],
  },
  null,
  2,
);

/** JSON objects in free text (a transcript), balanced by brace counting outside strings. */
function jsonObjects(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

export type ParsedReply = { ok: true; reply: PlanReply } | { ok: false; errors: string[] };

/** The last JSON object in the agent's output that has a "version" key, validated. */
export function parsePlanReply(output: string): ParsedReply {
  const candidates = jsonObjects(output).reverse();
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || !('version' in value)) continue;
    const parsed = planReplySchema.safeParse(value);
    if (parsed.success) return { ok: true, reply: parsed.data };
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'reply'}: ${issue.message}`),
    };
  }
  return { ok: false, errors: ['no JSON object with a "version" key in the reply'] };
}

/**
 * Paths a reply may use: tracked files, directories that hold tracked files, "." and, for writes
 * and tests, new files in a directory that exists. Everything else is named in the errors.
 */
export function checkReplyPaths(
  reply: PlanReply,
  repoFiles: readonly string[],
  allowedProtected: readonly string[] = [],
): string[] {
  const files = new Set(repoFiles);
  const dirs = new Set<string>(['.']);
  for (const file of repoFiles) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  const errors: string[] = [];
  const ids = new Set(reply.slices.map((slice) => slice.id));
  for (const slice of reply.slices) {
    const check = (raw: string, field: string, mayBeNew: boolean): void => {
      const normalized = normalizeRepoPath(raw);
      if (!normalized.ok) {
        errors.push(`${slice.id}.${field}: ${quoteUntrusted(raw)} ${normalized.reason}`);
        return;
      }
      const p = normalized.path;
      const violation = field === 'reads' ? null : protectedWriteViolation(p, allowedProtected);
      if (violation !== null) {
        errors.push(`${slice.id}.${field}: ${violation}`);
        return;
      }
      if (files.has(p) || dirs.has(p)) return;
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.';
      if (mayBeNew && dirs.has(parent)) return;
      errors.push(
        mayBeNew
          ? `${slice.id}.${field}: ${quoteUntrusted(raw)} is not tracked and its directory ${quoteUntrusted(parent)} does not exist`
          : `${slice.id}.${field}: ${quoteUntrusted(raw)} is not a tracked file or directory`,
      );
    };
    for (const raw of slice.reads) check(raw, 'reads', false);
    for (const raw of slice.writes) check(raw, 'writes', true);
    for (const raw of slice.tests) check(raw, 'tests', true);
    for (const dep of slice.dependsOn) {
      if (!ids.has(dep)) errors.push(`${slice.id}.dependsOn: no slice ${quoteUntrusted(dep)} in the reply`);
    }
  }
  if (ids.size !== reply.slices.length) errors.push('slice ids must be unique');
  return errors;
}
