import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** JSON.stringify, with short arrays of scalars on one line as the repository's formatter wants. */
export function formatJson(value: unknown): string {
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

/**
 * Expects `schema/<name>` to hold `generated`; with OMK_UPDATE_SCHEMA=1 it writes it first.
 * `testFile` is the test to name in the message that says how to regenerate it.
 */
export async function expectCommittedSchema(
  name: string,
  generated: unknown,
  testFile: string,
): Promise<void> {
  const path = fileURLToPath(new URL(`../../schema/${name}`, import.meta.url));
  if (process.env.OMK_UPDATE_SCHEMA === '1') await writeFile(path, formatJson(generated));
  const committed: unknown = JSON.parse(await readFile(path, 'utf8'));
  expect(
    committed,
    `schema/${name} is out of date: run OMK_UPDATE_SCHEMA=1 npx vitest run ${testFile}`,
  ).toEqual(generated);
}
