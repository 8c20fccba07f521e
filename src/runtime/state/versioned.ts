import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { NotFoundError, StateError, UnsupportedVersionError } from '../errors.js';

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

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`${what} not found at ${path}.`, { cause: error });
    }
    throw new StateError(`Cannot read ${what} at ${path}.`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StateError(`${path}: ${what} is not valid JSON.`, { cause: error });
  }
}

export async function readVersioned<T>(schema: VersionedSchema<T>, path: string): Promise<T> {
  return parseVersioned(schema, await readJsonFile(path, schema.name), path);
}
