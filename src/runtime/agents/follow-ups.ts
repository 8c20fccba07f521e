import { lstat, readFile, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { quoteUntrusted } from '../graph/paths.js';
import { RISKS, SLICE_ID_PATTERN, type TaskDraft } from '../graph/schema.js';

/** Where an agent may leave follow-up proposals, relative to its working directory. */
export const FOLLOW_UPS_FILE = '.omk/follow-ups.json';

// Proposals are untrusted agent output: bounded in size and count so one run cannot flood a plan.
const MAX_FILE_BYTES = 256 * 1024;
const MAX_PROPOSALS = 20;
const MAX_PATHS = 100;

const pathList = z.array(z.string().min(1).max(4096)).max(MAX_PATHS);

/**
 * What an agent may propose. Budget and retries are deliberately absent: they are policy, set by
 * whoever runs the goal, and an agent must not be able to grant itself more.
 */
export const followUpProposalSchema = z.object({
  id: z
    .string()
    .regex(SLICE_ID_PATTERN, 'must be lowercase letters, digits and dashes (at most 63)')
    .optional(),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(8_000).default(''),
  ownerRole: z.string().trim().min(1).max(60).optional(),
  dependsOn: z.array(z.string().max(63)).max(MAX_PATHS).optional(),
  reads: pathList.default([]),
  writes: pathList.min(1, 'must name at least one path the follow-up will change'),
  risk: z.enum(RISKS).default('medium'),
  acceptance: z.array(z.string().trim().min(1).max(1_000)).max(50).default([]),
});
export type FollowUpProposal = z.input<typeof followUpProposalSchema>;

export interface FollowUpDefaults {
  /** The task that proposed them: follow-ups depend on it unless they say otherwise. */
  parentTaskId: string;
  ownerRole: string;
  budget: TaskDraft['budget'];
  maxRetries: number;
}

export interface FollowUpsRead {
  followUps: TaskDraft[];
  /** One line per dropped proposal (or per problem with the file), for the transcript and events. */
  problems: string[];
}

/**
 * Reads and removes `<cwd>/.omk/follow-ups.json`. The file is always removed, valid or not, so it
 * never ends up in the slice's commit.
 */
export async function readFollowUps(cwd: string, defaults: FollowUpDefaults): Promise<FollowUpsRead> {
  const path = join(cwd, FOLLOW_UPS_FILE);
  let text: string;
  try {
    const stat = await lstat(path);
    // A symlink could point anywhere on the host; only a plain file the agent wrote is read.
    if (!stat.isFile()) {
      await removeProposals(path);
      return { followUps: [], problems: [`${FOLLOW_UPS_FILE} is not a regular file; ignored`] };
    }
    if (stat.size > MAX_FILE_BYTES) {
      await removeProposals(path);
      return {
        followUps: [],
        problems: [`${FOLLOW_UPS_FILE} is larger than ${MAX_FILE_BYTES} bytes; ignored`],
      };
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return { followUps: [], problems: [] };
    throw error;
  }
  await removeProposals(path);
  return parseFollowUps(text, defaults);
}

/** Pure: validates proposals and completes them into drafts; each dropped entry says why. */
export function parseFollowUps(text: string, defaults: FollowUpDefaults): FollowUpsRead {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      followUps: [],
      problems: [
        `${FOLLOW_UPS_FILE} is not valid JSON (${error instanceof Error ? error.message : String(error)}); ignored`,
      ],
    };
  }
  if (!Array.isArray(raw)) {
    return { followUps: [], problems: [`${FOLLOW_UPS_FILE} must hold a JSON array of proposals; ignored`] };
  }
  const problems: string[] = [];
  const followUps: TaskDraft[] = [];
  const ids = new Set<string>();
  raw.forEach((entry, index) => {
    const label = `follow-up #${index + 1}`;
    if (index >= MAX_PROPOSALS) {
      if (index === MAX_PROPOSALS) {
        problems.push(
          `only the first ${MAX_PROPOSALS} follow-ups are considered; ${raw.length - index} dropped`,
        );
      }
      return;
    }
    const parsed = followUpProposalSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(`${label} dropped: ${describeIssues(parsed.error)}`);
      return;
    }
    const proposal = parsed.data;
    const id = proposal.id ?? uniqueId(slugify(proposal.title, defaults.parentTaskId, index), ids);
    if (ids.has(id)) {
      problems.push(`${label} dropped: id ${quoteUntrusted(id)} is used by an earlier follow-up`);
      return;
    }
    ids.add(id);
    followUps.push({
      id,
      title: proposal.title,
      description: proposal.description,
      ownerRole: proposal.ownerRole ?? defaults.ownerRole,
      dependsOn: proposal.dependsOn ?? [defaults.parentTaskId],
      reads: proposal.reads,
      writes: proposal.writes,
      risk: proposal.risk,
      acceptance: proposal.acceptance,
      budget: defaults.budget,
      maxRetries: defaults.maxRetries,
    });
  });
  return { followUps, problems };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'entry'} ${issue.message}`)
    .join('; ');
}

/** A slice id from the title, so a proposal without one still gets a readable branch name. */
function slugify(title: string, parent: string, index: number): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const base = slug === '' ? `${parent}-follow-up-${index + 1}` : slug;
  return base.slice(0, 56).replace(/-+$/, '') || `follow-up-${index + 1}`;
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

async function removeProposals(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
  // The .omk directory may hold the repository's config: remove it only when it is now empty.
  await rmdir(dirname(path)).catch(() => undefined);
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
