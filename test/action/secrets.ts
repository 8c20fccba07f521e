import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../helpers/git-repo.js';
import type { ActionEnv, ActionRun } from './harness.js';

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

/**
 * Everywhere a step's run could have put the token, and which of `forms` each holds: its log,
 * outputs and summary; the state root on the runner; the fake GitHub's pull requests, comments and
 * check runs; every branch pushed to the origin (the omk/state branch included). Empty: none.
 */
export async function tokenLeaks(
  env: ActionEnv,
  run: ActionRun,
  forms: readonly string[],
): Promise<string[]> {
  const leaks = leaksOf(run, forms);
  for (const file of await filesHolding(join(env.runnerTemp, 'omk', 'state'), forms)) {
    leaks.push(`state file ${file}`);
  }
  const state = env.server.state;
  const texts: [string, string][] = [
    ...[...state.pulls.values()].map((p): [string, string] => [`pull ${p.number}`, `${p.title}\n${p.body}`]),
    ...state.comments.map((c, i): [string, string] => [`comment ${i}`, c.body]),
    ...state.checkRuns.map((c): [string, string] => [
      `check run ${c.name}`,
      `${c.title}\n${c.summary}\n${c.text ?? ''}`,
    ]),
  ];
  for (const [where, text] of texts) {
    for (const form of forms) if (text.includes(form)) leaks.push(`${where} holds ${JSON.stringify(form)}`);
  }
  const refs = git(env.repo.origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/').split('\n');
  for (const form of forms) {
    // git grep exits 1 when nothing matches: the answer wanted.
    const pushed = spawnSync('git', ['grep', '-I', '-l', '-F', '-e', form, ...refs, '--'], {
      cwd: env.repo.origin,
      encoding: 'utf8',
    });
    if (pushed.status !== 1)
      leaks.push(`pushed ${JSON.stringify(form)} (git grep ${pushed.status}): ${pushed.stdout}`);
  }
  return leaks;
}
