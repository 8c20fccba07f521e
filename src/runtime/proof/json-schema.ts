import { z } from 'zod';
import { proofSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of proof.json and of the proof in a PR's hidden block, generated from
 * the zod schema so the two cannot drift; schema/proof.schema.json is this, committed.
 */
export function proofJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(proofSchema, { io: 'output', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'omk proof (proof.json)',
    description:
      'What omk can show about a goal: status, gates, slices, gaps and failures. See docs/proof.md.',
    ...rest,
  };
}
