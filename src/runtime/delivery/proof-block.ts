import { z } from 'zod';
import { canonicalJson, verifyProofDigest } from '../proof/digest.js';
import { type Proof, proofSchema } from '../proof/schema.js';

/**
 * The machine-readable proof hidden at the end of a PR body, in one of two forms:
 *
 *   <!-- omk:proof v1 <base64url(canonical JSON of the whole proof)> -->
 *   <!-- omk:proof-digest v1 <base64url(canonical JSON of {digest,status,headSha,baseSha,gaps})> -->
 *
 * The payload is base64url, whose alphabet (A–Z a–z 0–9 - _) has neither `>` nor `!`: it can hold
 * `--`, which is harmless, but never `-->` or `--!>`, the only sequences that end an HTML comment
 * (CommonMark HTML block type 2, HTML5 tokenizer). No user text is ever written inside the block.
 */
const FULL = 'proof';
const DIGEST = 'proof-digest';
const VERSION = 'v1';

/** What the compact form keeps: enough to tell which proof a PR showed and whether it was ready. */
const digestPayloadSchema = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  status: proofSchema.shape.status,
  headSha: z.string().nullable(),
  baseSha: z.string().nullable(),
  /** Distinct gap codes, first-seen order. */
  gaps: z.array(z.string()),
  /** Present only when distinct codes had to be left out to fit (pathological inputs). */
  gapsOmitted: z.number().int().positive().optional(),
});
type DigestPayload = z.infer<typeof digestPayloadSchema>;

export function renderProofBlock(proof: Proof): string {
  return block(FULL, canonicalJson(proof));
}

/**
 * The compact form. `maxChars` bounds the block: distinct gap codes are dropped from the end (and
 * counted in `gapsOmitted`) only when they alone would exceed it.
 */
export function renderProofDigestBlock(proof: Proof, maxChars = Number.POSITIVE_INFINITY): string {
  const codes = distinctGapCodes(proof);
  const payload = (kept: number): DigestPayload => ({
    digest: proof.digest,
    status: proof.status,
    headSha: proof.git.headSha,
    baseSha: proof.git.baseSha,
    gaps: codes.slice(0, kept),
    ...(kept < codes.length ? { gapsOmitted: codes.length - kept } : {}),
  });
  const rendered = block(DIGEST, canonicalJson(payload(codes.length)));
  if (rendered.length <= maxChars) return rendered;
  // Binary search for the most codes that fit; the block without codes always renders.
  let [low, high] = [0, codes.length - 1];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (block(DIGEST, canonicalJson(payload(mid))).length <= maxChars) low = mid;
    else high = mid - 1;
  }
  return block(DIGEST, canonicalJson(payload(low)));
}

export function distinctGapCodes(proof: Pick<Proof, 'knownGaps'>): string[] {
  return [...new Set(proof.knownGaps.map((gap) => gap.code))];
}

export type ReadProofResult =
  | { found: false }
  | {
      found: true;
      form: 'full' | 'digest';
      /** The decoded proof (full form, schema-valid), even when its digest does not match. */
      proof: Proof | null;
      digest: string;
      status: string;
      headSha: string | null;
      baseSha: string | null;
      /** Distinct gap codes the block names. */
      gaps: string[];
      /** Full form: the digest recomputed over the decoded JSON matches. Digest form: well formed. */
      valid: boolean;
    };

const MARKER = /<!--[ \t]*omk:(proof-digest|proof)(?![\w-])/g;

/** How many omk blocks a PR body holds (omk writes exactly one). */
export function countProofBlocks(body: string): number {
  return [...body.matchAll(MARKER)].length;
}

/**
 * Reads the LAST omk block of a PR body (omk writes it last; anything earlier is history or
 * quoted text). A block that cannot be decoded is found but invalid. Never throws; linear time.
 */
export function readProofBlock(body: string): ReadProofResult {
  let last: RegExpExecArray | null = null;
  for (const match of body.matchAll(MARKER)) last = match;
  if (last === null) return { found: false };
  const form: Found['form'] = last[1] === DIGEST ? 'digest' : 'full';
  const start = last.index + last[0].length;
  const end = body.indexOf('-->', start);
  const invalid: Found = {
    found: true,
    form,
    proof: null,
    digest: '',
    status: '',
    headSha: null,
    baseSha: null,
    gaps: [],
    valid: false,
  };
  if (end === -1) return invalid;
  const inner = /^\s+v1\s+([A-Za-z0-9_-]+)\s*$/.exec(body.slice(start, end));
  const decoded = inner?.[1] === undefined ? undefined : decode(inner[1]);
  if (decoded === undefined) return invalid;
  return form === 'full' ? readFull(decoded, invalid) : readDigest(decoded, invalid);
}

type Found = Extract<ReadProofResult, { found: true }>;

function readFull(decoded: unknown, invalid: Found): Found {
  const parsed = proofSchema.safeParse(decoded);
  if (!parsed.success) return { ...invalid, ...looseFields(decoded) };
  const proof = parsed.data;
  // The digest is checked over the JSON exactly as decoded: a key the schema would strip, or one
  // changed with the digest kept, both make it differ.
  const exact = safeCanonical(decoded) === safeCanonical(proof);
  return {
    found: true,
    form: 'full',
    proof,
    digest: proof.digest,
    status: proof.status,
    headSha: proof.git.headSha,
    baseSha: proof.git.baseSha,
    gaps: distinctGapCodes(proof),
    valid: exact && safeVerify(proof),
  };
}

function readDigest(decoded: unknown, invalid: Found): Found {
  const parsed = digestPayloadSchema.strict().safeParse(decoded);
  if (!parsed.success) return { ...invalid, ...looseFields(decoded) };
  const { digest, status, headSha, baseSha, gaps } = parsed.data;
  return { found: true, form: 'digest', proof: null, digest, status, headSha, baseSha, gaps, valid: true };
}

/** Best-effort fields from a block that failed validation, for messages; never trusted. */
function looseFields(value: unknown): Partial<Found> {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const git =
    typeof record.git === 'object' && record.git !== null ? (record.git as Record<string, unknown>) : {};
  const str = (field: unknown) => (typeof field === 'string' ? field : null);
  return {
    digest: str(record.digest) ?? '',
    status: str(record.status) ?? '',
    headSha: str(record.headSha) ?? str(git.headSha),
    baseSha: str(record.baseSha) ?? str(git.baseSha),
  };
}

function block(form: string, json: string): string {
  return `<!-- omk:${form} ${VERSION} ${Buffer.from(json, 'utf8').toString('base64url')} -->`;
}

function decode(payload: string): unknown {
  try {
    const bytes = Buffer.from(payload, 'base64url');
    // Buffer ignores what it cannot decode; a payload that does not re-encode identically is damaged.
    if (bytes.toString('base64url') !== payload) return undefined;
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

function safeCanonical(value: unknown): string | null {
  try {
    return canonicalJson(value);
  } catch {
    return null;
  }
}

function safeVerify(proof: Proof): boolean {
  try {
    return verifyProofDigest(proof);
  } catch {
    return false;
  }
}
