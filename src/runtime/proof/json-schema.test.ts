import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { expectCommittedSchema } from '../../../test/helpers/committed-schema.js';
import { buildProof } from './build.js';
import { proofJsonSchema } from './json-schema.js';
import { evidence, finding, gate, randomEvidence, seededRandom } from './test-evidence.js';

const PER_TEST = {
  source: 'pytest',
  baseSha: 'b'.repeat(40),
  counts: {
    passed: 2,
    failed: 0,
    skipped: 0,
    failToPass: 1,
    regressions: 0,
    stillFailing: 0,
    added: 0,
    removed: 0,
  },
  failing: [],
  failToPass: ['tests/test_x.py::test_y'],
  regressions: [],
  stillFailing: [],
  added: [],
  removed: [],
};

describe('proof JSON Schema', () => {
  // Regenerate with: OMK_UPDATE_SCHEMA=1 npx vitest run src/runtime/proof/json-schema.test.ts
  it('matches the committed JSON Schema (schema/proof.schema.json)', async () => {
    await expectCommittedSchema(
      'proof.schema.json',
      proofJsonSchema(),
      'src/runtime/proof/json-schema.test.ts',
    );
  });

  it('accepts built proofs and refuses a proof with an unknown status', () => {
    const validate = new Ajv2020({ strict: false }).compile(proofJsonSchema());
    const random = seededRandom(7);
    const proofs = [
      buildProof(evidence({ gates: [gate({ outcome: 'failed', exitCode: 1 })], findings: [finding()] })),
      buildProof(evidence({ gates: [gate({ tests: PER_TEST })] })),
      ...Array.from({ length: 20 }, () => buildProof(randomEvidence(random))),
    ];
    for (const proof of proofs) expect(validate(proof), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...buildProof(evidence()), status: 'done' })).toBe(false);
    expect(validate({ ...buildProof(evidence()), extra: 1 })).toBe(false);
    const nullTests = buildProof(evidence({ gates: [gate()] }));
    expect(validate({ ...nullTests, gates: [{ ...nullTests.gates[0], tests: null }] })).toBe(false);
  });
});
