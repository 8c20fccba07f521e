import { describe, expect, it } from 'vitest';
import { buildProof } from '../proof/build.js';
import { canonicalJson } from '../proof/digest.js';
import type { Proof } from '../proof/schema.js';
import { evidence, HEAD_SHA, randomEvidence, seededRandom } from '../proof/test-evidence.js';
import { readProofBlock, renderProofBlock, renderProofDigestBlock } from './proof-block.js';

const proof = buildProof(evidence());
const payload = (block: string) => /^<!-- omk:[a-z-]+ v1 ([A-Za-z0-9_-]+) -->$/.exec(block)?.[1] ?? '';
const decode = (block: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(payload(block), 'base64url').toString('utf8'));
const encode = (value: unknown, form = 'proof') =>
  `<!-- omk:${form} v1 ${Buffer.from(JSON.stringify(value)).toString('base64url')} -->`;

describe('renderProofBlock / readProofBlock', () => {
  it('hides the canonical JSON of the whole proof, base64url-encoded, and reads it back', () => {
    const block = renderProofBlock(proof);
    expect(block).toMatch(/^<!-- omk:proof v1 [A-Za-z0-9_-]+ -->$/);
    expect(Buffer.from(payload(block), 'base64url').toString('utf8')).toBe(canonicalJson(proof));
    expect(readProofBlock(`# Title\n\ntext\n\n${block}\n`)).toEqual({
      found: true,
      form: 'full',
      proof,
      digest: proof.digest,
      status: 'ready',
      headSha: HEAD_SHA,
      baseSha: proof.git.baseSha,
      gaps: [],
      valid: true,
    });
  });

  it('round-trips random proofs, hostile text included, and never ends the comment early', () => {
    const random = seededRandom(11);
    for (let index = 0; index < 200; index += 1) {
      const base = randomEvidence(random);
      const hostile = buildProof({ ...base, goalText: `--> <!-- ${'-'.repeat(index)}> \u0000 ${index}` });
      const block = renderProofBlock(hostile);
      // Only `-->` or `--!>` end an HTML comment; base64url has neither `>` nor `!`.
      expect(block.indexOf('-->')).toBe(block.length - 3);
      expect(block).not.toContain('--!>');
      const read = readProofBlock(block);
      expect(read.found && read.valid && read.proof).toEqual(hostile);
    }
  });

  it('reads a payload that contains "--"', () => {
    // U+07FE is DF BE in UTF-8: at the right alignment those bits encode as "--".
    let found: Proof | null = null;
    for (let index = 0; index < 3 && found === null; index += 1) {
      const candidate = buildProof(evidence({ goalText: `${'x'.repeat(index)}\u07fe\u07fe\u07fe` }));
      if (payload(renderProofBlock(candidate)).includes('--')) found = candidate;
    }
    expect(found).not.toBeNull();
    if (found !== null) expect(readProofBlock(renderProofBlock(found))).toMatchObject({ valid: true });
  });

  it('detects an edited proof: status flipped in the decoded JSON, digest kept', () => {
    const failing = buildProof(evidence({ gates: [] }));
    const edited = { ...decode(renderProofBlock(failing)), status: 'ready' };
    const read = readProofBlock(`body\n${encode(edited)}\n`);
    expect(read).toMatchObject({ found: true, form: 'full', valid: false, status: 'ready' });
    expect(read.found && read.digest).toBe(failing.digest);
  });

  it('detects an added key, which the schema would silently strip', () => {
    const read = readProofBlock(encode({ ...decode(renderProofBlock(proof)), approvedBy: 'me' }));
    expect(read).toMatchObject({ found: true, valid: false });
  });

  it('reads the LAST block: an older block earlier in the body does not count', () => {
    const older = buildProof(evidence({ gates: [] }));
    const body = `${renderProofBlock(older)}\n\nnew text\n\n${renderProofDigestBlock(proof)}\n`;
    expect(readProofBlock(body)).toMatchObject({ form: 'digest', digest: proof.digest, valid: true });
  });

  it.each([
    ['no block', 'just text <!-- a comment -->', { found: false }],
    ['not base64url', '<!-- omk:proof v1 !!!not base64!!! -->', { found: true, valid: false }],
    [
      'not JSON',
      `<!-- omk:proof v1 ${Buffer.from('{oops').toString('base64url')} -->`,
      { found: true, valid: false },
    ],
    [
      'not a proof',
      encode({ status: 'ready', digest: 'sha256:x' }),
      { found: true, valid: false, status: 'ready' },
    ],
    ['unclosed', `<!-- omk:proof v1 ${payload(renderProofBlock(proof))}`, { found: true, valid: false }],
    [
      'another version',
      `<!-- omk:proof v2 ${payload(renderProofBlock(proof))} -->`,
      { found: true, valid: false },
    ],
    ['a bad digest form', encode({ digest: 'sha256:1', status: 'ready' }, 'proof-digest'), { valid: false }],
    ['a garbage last block', `${renderProofBlock(proof)}\n<!-- omk:proof v1 AAAA -->`, { valid: false }],
    ['a null payload', encode(null), { found: true, valid: false, digest: '' }],
  ])('never throws on %s', (_name, body, expected) => {
    expect(readProofBlock(body)).toMatchObject(expected);
  });
});

describe('renderProofDigestBlock', () => {
  it('holds digest, status, SHAs and the distinct gap codes, and reads back as the digest form', () => {
    const notReady = buildProof(evidence({ execution: 'in_progress', gates: [] }));
    const block = renderProofDigestBlock(notReady);
    expect(block).toMatch(/^<!-- omk:proof-digest v1 [A-Za-z0-9_-]+ -->$/);
    expect(decode(block)).toEqual({
      digest: notReady.digest,
      status: 'not_ready',
      headSha: HEAD_SHA,
      baseSha: notReady.git.baseSha,
      gaps: ['execution_in_progress', 'gate_missing'],
    });
    expect(readProofBlock(block)).toMatchObject({
      found: true,
      form: 'digest',
      proof: null,
      digest: notReady.digest,
      gaps: ['execution_in_progress', 'gate_missing'],
      valid: true,
    });
  });

  it('leaves out distinct codes only when they alone exceed the bound, and says how many', () => {
    const knownGaps = Array.from({ length: 3000 }, (_, index) => ({ code: `gap_${index}`, message: 'm' }));
    const huge = { ...proof, knownGaps };
    const block = renderProofDigestBlock(huge, 4000);
    expect(block.length).toBeLessThanOrEqual(4000);
    const decoded = decode(block);
    expect(decoded.gapsOmitted).toBe(3000 - (decoded.gaps as unknown[]).length);
    expect(readProofBlock(block)).toMatchObject({ valid: true });
    expect(renderProofDigestBlock(huge).length).toBeGreaterThan(4000);
  });
});
