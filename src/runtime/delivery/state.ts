import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, singleVersion, writeJsonAtomic } from '../state/versioned.js';

const deliveredPrSchema = z.object({
  /** Slice id, or null for the integrator PR. */
  sliceId: z.string().nullable(),
  branch: z.string(),
  number: z.number().int().positive(),
  url: z.string(),
  /** The head SHA last pushed and described in the body. */
  headSha: z.string(),
  checkRunId: z.number().int().positive().nullable(),
  /** The commit the check run is on; a new head gets a new check run. */
  checkRunSha: z.string().nullable(),
  /** Set just before creating a check run on this SHA: after a crash, a rerun looks it up first. */
  checkRunPendingSha: z.string().nullable().default(null),
  labels: z.array(z.string()),
  /** Whether the PR was a draft when the forge last answered; null in records written before it was kept. */
  draft: z.boolean().nullable().default(null),
});
export type DeliveredPr = z.infer<typeof deliveredPrSchema>;

/** delivery.json: what exists on the forge, so every rerun updates instead of duplicating. */
export const deliveryRecordSchema = z.object({
  version: z.literal(1),
  forge: z.enum(['github', 'local']),
  /** Which forge and repository the numbers belong to, e.g. `github:octo/hello`. */
  target: z.string().default(''),
  pulls: z.array(deliveredPrSchema),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;
export const deliveryRecordVersioned = singleVersion('delivery.json', 1, deliveryRecordSchema);

/** Where PRs live; numbers recorded for another forge or repository mean nothing here. */
export interface DeliveryTarget {
  kind: 'github' | 'local';
  repo: { owner: string; name: string };
}

export function targetKey(target: DeliveryTarget): string {
  return `${target.kind}:${target.repo.owner}/${target.repo.name}`;
}

/**
 * The delivery record for `target`. One written for another forge or repository is set aside (an
 * empty record), so PR #1 on the local forge can never update someone else's PR #1 on GitHub.
 */
export async function readDelivery(
  files: StateFiles,
  path: string,
  target: DeliveryTarget,
): Promise<DeliveryRecord> {
  const empty: DeliveryRecord = { version: 1, forge: target.kind, target: targetKey(target), pulls: [] };
  try {
    const record = await readVersioned(files, deliveryRecordVersioned, path);
    return record.target === targetKey(target) ? record : empty;
  } catch (error) {
    if (error instanceof NotFoundError) return empty;
    throw error;
  }
}

/** The record as written, whatever forge it is for (proofs list what was delivered). */
export async function readDeliveryAsWritten(files: StateFiles, path: string): Promise<DeliveryRecord | null> {
  try {
    return await readVersioned(files, deliveryRecordVersioned, path);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export function writeDelivery(files: StateFiles, path: string, record: DeliveryRecord): Promise<void> {
  return writeJsonAtomic(files, path, deliveryRecordSchema.parse(record));
}

export function withPull(record: DeliveryRecord, pull: DeliveredPr): DeliveryRecord {
  return { ...record, pulls: [...record.pulls.filter((p) => p.sliceId !== pull.sliceId), pull] };
}
