import { z } from 'zod';

/** GitHub's action metadata, as far as a JavaScript action on node24 uses it. */
export const actionMetadataSchema = z.strictObject({
  name: z.string().min(1),
  // The Marketplace shows at most 125 characters of it.
  description: z.string().min(1).max(124),
  author: z.string().min(1),
  branding: z.strictObject({ icon: z.string().min(1), color: z.string().min(1) }),
  inputs: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.strictObject({
      description: z.string().min(1),
      required: z.boolean().optional(),
      default: z.string(),
      deprecationMessage: z.string().optional(),
    }),
  ),
  outputs: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.strictObject({ description: z.string().min(1) }),
  ),
  runs: z.strictObject({
    using: z.literal('node24'),
    main: z.literal('dist/index.cjs'),
    post: z.literal('dist/post.js'),
    'post-if': z.literal('always()'),
  }),
});
export type ActionMetadata = z.infer<typeof actionMetadataSchema>;

const cell = (text: string) => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
const literal = (text: string) => (text === '' ? '(empty)' : `\`${text}\``);

/** The inputs table of docs/action.md, generated from action.yml. */
export function inputsTable(meta: ActionMetadata): string {
  const rows = Object.entries(meta.inputs).map(
    ([name, input]) => `| \`${name}\` | ${literal(input.default)} | ${cell(input.description)} |`,
  );
  return ['| Input | Default | Description |', '|---|---|---|', ...rows].join('\n');
}

/** The outputs table of docs/action.md, generated from action.yml. */
export function outputsTable(meta: ActionMetadata): string {
  const rows = Object.entries(meta.outputs).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`,
  );
  return ['| Output | Description |', '|---|---|', ...rows].join('\n');
}
