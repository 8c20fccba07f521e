/**
 * Merging two copies of an append-only JSON-lines log (events, decisions, budget) that grew apart:
 * one published on the shared remote ("theirs"), one on this machine ("ours"). Pure functions of
 * the two texts, so every writer that merges the same pair gets the same bytes.
 *
 * The order both writers agree on is the remote's: what was published keeps its place and its
 * `seq`; what only this machine has goes after it, in its own order, numbered on from the
 * remote's last `seq`. A record both sides hold (same content but `seq`: the same append, already
 * merged once) is kept once. Nothing either side appended is dropped.
 */

/** One parsed line: `seq` and the rest of the record, whose identity is its content. */
export interface JsonlRecord {
  seq: number;
  value: Record<string, unknown>;
  /** Canonical JSON of everything but `seq`: equal for the same append on both sides. */
  identity: string;
}

export interface RebasedLog {
  /** The merged records, `seq` 1..n as written. */
  records: JsonlRecord[];
  /** How many records of `theirs` are kept in place (its whole valid history). */
  theirsCount: number;
  /** Records only this side had, in their new place (after theirs). */
  oursOnly: JsonlRecord[];
  /** Records only the remote had (beyond the history both shared). */
  theirsOnly: JsonlRecord[];
  /** True when the result differs from `ours` as parsed. */
  changed: boolean;
}

/** Parses the valid lines of a JSON-lines text; unparsable lines (a torn write) are left out. */
export function parseJsonlRecords(text: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const record = value as Record<string, unknown>;
    const { seq } = record;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) continue;
    out.push({ seq, value: record, identity: identityOf(record) });
  }
  return out;
}

/**
 * Theirs in place, then ours' records that theirs lacks (matched by identity, as a multiset, so
 * two equal appends on one side stay two), renumbered after theirs.
 */
export function rebaseJsonl(ours: readonly JsonlRecord[], theirs: readonly JsonlRecord[]): RebasedLog {
  const remaining = new Map<string, number>();
  for (const record of theirs) remaining.set(record.identity, (remaining.get(record.identity) ?? 0) + 1);
  const oursOnlyIn: JsonlRecord[] = [];
  const oursIdentities = new Map<string, number>();
  for (const record of ours) {
    oursIdentities.set(record.identity, (oursIdentities.get(record.identity) ?? 0) + 1);
    const left = remaining.get(record.identity) ?? 0;
    if (left > 0) remaining.set(record.identity, left - 1);
    else oursOnlyIn.push(record);
  }
  const theirsOnly: JsonlRecord[] = [];
  for (const record of theirs) {
    const left = oursIdentities.get(record.identity) ?? 0;
    if (left > 0) oursIdentities.set(record.identity, left - 1);
    else theirsOnly.push(record);
  }
  const kept = theirs.map((record, i) => renumber(record, i + 1));
  const oursOnly = oursOnlyIn.map((record, i) => renumber(record, kept.length + i + 1));
  const records = [...kept, ...oursOnly];
  const changed =
    records.length !== ours.length ||
    records.some((record, i) => record.identity !== ours[i]?.identity || record.seq !== ours[i]?.seq);
  return { records, theirsCount: kept.length, oursOnly, theirsOnly, changed };
}

/** The log as a file: one JSON object per line, `seq` where the writers put it (after `v`). */
export function renderJsonl(records: readonly JsonlRecord[]): string {
  return records.map((record) => `${JSON.stringify(record.value)}\n`).join('');
}

function renumber(record: JsonlRecord, seq: number): JsonlRecord {
  if (record.seq === seq) return record;
  const value: Record<string, unknown> = {};
  // Rebuilt key by key so `seq` keeps its position in the line.
  for (const [key, inner] of Object.entries(record.value)) value[key] = key === 'seq' ? seq : inner;
  return { seq, value, identity: record.identity };
}

/** Canonical JSON of a record without its `seq`: object keys sorted at every depth. */
export function identityOf(record: Record<string, unknown>): string {
  const { seq: _seq, ...rest } = record;
  return JSON.stringify(rest, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, (inner as Record<string, unknown>)[key]]),
        )
      : inner,
  );
}
