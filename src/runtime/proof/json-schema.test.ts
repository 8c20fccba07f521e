import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildProof } from './build.js';
import { proofJsonSchema } from './json-schema.js';
import { evidence, finding, gate, randomEvidence, seededRandom } from './test-evidence.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/proof.schema.json', import.meta.url));

/** JSON.stringify, with short arrays of scalars on one line as the repository's formatter wants. */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /^( *)(.*)\[\n((?:\s*(?:"(?:[^"\\]|\\.)*"|[-\d.eE+]+|true|false|null),?\n)+)\s*\]/gm,
    (whole, indent: string, head: string, items: string) => {
      const line = `${indent}${head}[${items
        .trim()
        .split(/,?\n\s*/)
        .join(', ')}]`;
      return line.length <= 110 ? line : whole;
    },
  );
  return `${text}\n`;
}

describe('proof JSON Schema', () => {
  // Regenerate with: OMK_UPDATE_SCHEMA=1 npx vitest run src/runtime/proof/json-schema.test.ts
  it('matches the committed JSON Schema (schema/proof.schema.json)', async () => {
    const generated = proofJsonSchema();
    if (process.env.OMK_UPDATE_SCHEMA === '1') {
      await writeFile(SCHEMA_FILE, formatJson(generated));
    }
    const committed: unknown = JSON.parse(await readFile(SCHEMA_FILE, 'utf8'));
    expect(
      committed,
      'schema/proof.schema.json is out of date: run OMK_UPDATE_SCHEMA=1 npx vitest run src/runtime/proof/json-schema.test.ts',
    ).toEqual(generated);
  });

  it('accepts built proofs and refuses a proof with an unknown status', () => {
    const validate = new Ajv2020({ strict: false }).compile(proofJsonSchema());
    const random = seededRandom(7);
    const proofs = [
      buildProof(evidence({ gates: [gate({ outcome: 'failed', exitCode: 1 })], findings: [finding()] })),
      ...Array.from({ length: 20 }, () => buildProof(randomEvidence(random))),
    ];
    for (const proof of proofs) expect(validate(proof), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...buildProof(evidence()), status: 'done' })).toBe(false);
    expect(validate({ ...buildProof(evidence()), extra: 1 })).toBe(false);
  });
});
