import { z } from 'zod';
import { NotFoundError, StateError, UnsupportedVersionError } from '../errors.js';
import type { StateFiles } from './port.js';

/**
 * A versioned document: readers accept every version up to `current` (upgrading older ones) and
 * refuse a future version with a message that says to upgrade omk.
 */
export interface VersionedSchema<T> {
  /** Human name used in messages, e.g. "goal.json". */
  name: string;
  current: number;
  /** Parse a document whose `version` is known to be <= current; upgrade older shapes here. */
  parse(value: unknown, version: number): T;
}

const versionField = z.object({ version: z.number().int().positive() });

export function parseVersioned<T>(schema: VersionedSchema<T>, value: unknown, source: string): T {
  const header = versionField.safeParse(value);
  if (!header.success) {
    throw new StateError(`${source}: ${schema.name} has no valid "version" field.`, {
      hint: 'The file is damaged or not written by omk.',
    });
  }
  const { version } = header.data;
  if (version > schema.current) {
    throw new UnsupportedVersionError(
      `${source}: ${schema.name} is version ${version}, but this omk reads versions up to ${schema.current}.`,
      { hint: 'It was written by a newer omk. Upgrade omk to read it.' },
    );
  }
  try {
    return schema.parse(value, version);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new StateError(`${source}: ${schema.name} is invalid:\n${z.prettifyError(error)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** A simple versioned schema for documents that have had one shape so far. */
export function singleVersion<T>(name: string, current: number, zodSchema: z.ZodType<T>): VersionedSchema<T> {
  return { name, current, parse: (value) => zodSchema.parse(value) };
}

export async function readJsonFile(files: StateFiles, path: string, what: string): Promise<unknown> {
  let text: string | null;
  try {
    text = await files.readText(path);
  } catch (error) {
    throw new StateError(`Cannot read ${what} at ${path}.`, { cause: error });
  }
  if (text === null) throw new NotFoundError(`${what} not found at ${path}.`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StateError(`${path}: ${what} is not valid JSON.`, { cause: error });
  }
}

export async function readVersioned<T>(
  files: StateFiles,
  schema: VersionedSchema<T>,
  path: string,
): Promise<T> {
  return parseVersioned(schema, await readJsonFile(files, path, schema.name), path);
}

/** Writes a JSON document whole or not at all (pretty-printed, with a final newline). */
export async function writeJsonAtomic(files: StateFiles, path: string, value: unknown): Promise<void> {
  await files.writeAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
