import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../state/atomic.js';

const pullSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  head: z.string(),
  base: z.string(),
  draft: z.boolean(),
  state: z.enum(['open', 'closed', 'merged']),
  labels: z.array(z.string()),
  mergedSha: z.string().nullable(),
  /** The head the PR was merged at (its branch may move or go away later). */
  mergedHeadSha: z.string().nullable().default(null),
});
export type LocalPull = z.infer<typeof pullSchema>;

const checkRunSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  headSha: z.string(),
  conclusion: z.enum(['success', 'failure', 'neutral']),
  title: z.string(),
  summary: z.string(),
  externalId: z.string(),
});
export type LocalCheckRun = z.infer<typeof checkRunSchema>;

const dataSchema = z.object({
  version: z.literal(1),
  pulls: z.array(pullSchema),
  checkRuns: z.array(checkRunSchema),
});
export type LocalForgeData = z.infer<typeof dataSchema>;

/** The local forge's records: one JSON file per repository, written atomically. */
export class LocalForgeStore {
  private readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, 'forge.json');
  }

  async read(): Promise<LocalForgeData> {
    try {
      return dataSchema.parse(JSON.parse(await readFile(this.path, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pulls: [], checkRuns: [] };
      throw error;
    }
  }

  /** Read-modify-write, serialized within the process. */
  update<T>(change: (data: LocalForgeData) => T): Promise<T> {
    const run = async () => {
      const data = await this.read();
      const result = change(data);
      await mkdir(this.dir, { recursive: true });
      await writeJsonAtomic(this.path, dataSchema.parse(data));
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}
