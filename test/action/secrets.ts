import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRun } from './harness.js';

/** The token and every encoding that would let it be recovered from a log or a file. */
export function secretForms(token: string): string[] {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [token, b64(`x-access-token:${token}`), b64(token), encodeURIComponent(token)];
}

/**
 * Where a run shows any form of the token. The runner's own `::add-mask::` commands are how it
 * learns what to hide, so they are the one place the token may appear (and must).
 */
export function leaksOf(run: ActionRun, forms: readonly string[]): string[] {
  const places: [string, string][] = [
    [
      'stdout',
      run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n'),
    ],
    ['stderr', run.stderr],
    ['GITHUB_OUTPUT', run.outputFile],
    ['job summary', run.summary],
  ];
  return places.flatMap(([where, text]) =>
    forms.filter((form) => text.includes(form)).map((form) => `${where} holds ${JSON.stringify(form)}`),
  );
}

/** Files under `dir` that hold any form of the token. */
export async function filesHolding(dir: string, forms: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && (await stat(full)).size < 16 * 1024 * 1024) {
        const text = await readFile(full, 'latin1');
        if (forms.some((form) => text.includes(form))) hits.push(full);
      }
    }
  };
  await walk(dir);
  return hits;
}
