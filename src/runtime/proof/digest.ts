import { createHash } from 'node:crypto';
import type { Proof } from './schema.js';

/**
 * Canonical JSON: object keys sorted recursively, no whitespace, arrays in order; undefined
 * properties dropped. Otherwise JSON semantics (`toJSON` honoured, undefined array items become
 * null), except that values JSON would silently corrupt (NaN, Infinity, bigint, cycles) throw:
 * a digest over a lossy encoding would vouch for data it never saw.
 */
export function canonicalJson(value: unknown): string {
  const encoded = encode(value, new Set());
  if (encoded === undefined) {
    throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol).');
  }
  return encoded;
}

function encode(value: unknown, ancestors: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form.`);
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON form.');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as object;
  if ('toJSON' in object && typeof object.toJSON === 'function') {
    return encode(object.toJSON(), ancestors);
  }
  if (ancestors.has(object)) throw new TypeError('canonicalJson: the value contains a cycle.');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      // Array.from visits holes too, so a sparse array encodes like JSON.stringify's nulls.
      return `[${Array.from(object, (item: unknown) => encode(item, ancestors) ?? 'null').join(',')}]`;
    }
    const record = object as Record<string, unknown>;
    const members: string[] = [];
    // Default sort compares UTF-16 code units: locale-independent, so every host agrees.
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], ancestors);
      if (encoded !== undefined) members.push(`${JSON.stringify(key)}:${encoded}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

/** sha256 hex (prefixed "sha256:") of canonicalJson(proof without its `digest` field). */
export function computeProofDigest(proof: Omit<Proof, 'digest'> | Proof): string {
  const body = Object.fromEntries(Object.entries(proof).filter(([key]) => key !== 'digest'));
  return `sha256:${createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex')}`;
}

export function verifyProofDigest(proof: Proof): boolean {
  return computeProofDigest(proof) === proof.digest;
}
