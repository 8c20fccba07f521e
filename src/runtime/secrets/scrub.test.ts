import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import type { WorkspacePort } from '../workspace/port.js';
import { createScrub, REDACTED, scrubFile, secretValues } from './scrub.js';
import { scrubbedWorkspaces } from './scrubbed-runs.js';

// Random-looking values, built at run time so this file holds no token-shaped literal.
const body = (n: number) => 'q7Zk2PfR9xWm4TbVc8Ly'.repeat(Math.ceil(n / 20)).slice(0, n);
const ghp = `ghp_${body(36)}`;
const pat = `github_pat_${body(22)}_${body(59)}`;
const anthropic = `sk-ant-api03-${body(40)}`;
const openai = `sk-proj-${body(40)}`;

describe('the scrub', () => {
  const scrub = createScrub([]);

  it.each([
    ['a classic GitHub token', ghp],
    ['an installation token', `ghs_${body(36)}`],
    ['a short token with a GitHub prefix', `gho_${body(20)}`],
    ['a fine-grained token', pat],
    ['an Anthropic key', anthropic],
    ['an OpenAI key', openai],
  ])('replaces %s wherever it stands in a line', (_, token) => {
    expect(scrub(`token=${token} and more`)).toBe(`token=${REDACTED} and more`);
  });

  it('replaces the base64 of x-access-token:<token> and any AUTHORIZATION header value', () => {
    const b64 = Buffer.from(`x-access-token:${body(30)}`).toString('base64');
    expect(scrub(`extraheader = AUTHORIZATION: basic ${b64}`)).toBe(
      `extraheader = AUTHORIZATION: basic ${REDACTED}`,
    );
    expect(scrub(`leaked ${b64}`)).toBe(`leaked ${REDACTED}`);
    expect(scrub('Authorization: Bearer abcdefgh12345')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it('replaces the literal values omk was given, as they are and in base64, whatever their shape', () => {
    const value = 'plain-looking-token-value';
    const literal = createScrub([value, 'short']);
    expect(literal(`a ${value} b ${Buffer.from(value).toString('base64')} c short`)).toBe(
      `a ${REDACTED} b ${REDACTED} c short`,
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'gates 2/2 passed; ghp_ is a prefix; sk-ant- too; commit 0123abcd';
    expect(scrub(text)).toBe(text);
  });

  it('takes the values of token-named variables only', () => {
    expect(
      secretValues({
        GITHUB_TOKEN: 'a',
        ANTHROPIC_API_KEY: 'b',
        GITHUB_PAT: 'c',
        PATH: '/bin',
        HOME: '/h',
      }).sort(),
    ).toEqual(['a', 'b', 'c']);
  });

  it('rewrites a text file scrubbed and leaves a binary file as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-scrub-'));
    try {
      const text = join(dir, 'log.txt');
      const binary = join(dir, 'blob.bin');
      await writeFile(text, `printed ${ghp}\n`);
      const bytes = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(ghp)]);
      await writeFile(binary, bytes);
      await scrubFile(localStateFiles, text, scrub);
      await scrubFile(localStateFiles, binary, scrub);
      await scrubFile(localStateFiles, join(dir, 'missing'), scrub);
      expect(await readFile(text, 'utf8')).toBe(`printed ${REDACTED}\n`);
      expect((await readFile(binary)).equals(bytes)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // What the security review blocks and no token format covers: a refused change's patch is kept
  // among the artifacts, so it must not keep the key either.
  const pemBody = [body(64), body(64), body(20)].join('\n+');
  const refusedDiff = [
    'diff --git a/.env b/.env',
    '+++ b/.env',
    `+ANTHROPIC_API_KEY=${body(40)}`,
    `+aws_secret_access_key = ${body(40)}`,
    `+DATABASE_URL=postgres://app:${body(12)}9@db.internal:5432/app`,
    '+-----BEGIN OPENSSH PRIVATE KEY-----',
    `+${pemBody}`,
    '+-----END OPENSSH PRIVATE KEY-----',
    '+PORT=8080',
    '',
  ].join('\n');

  it('replaces a private key body, a provider key assigned by name and a password in a URL', () => {
    const clean = scrub(refusedDiff);
    expect(clean).not.toContain(body(40));
    expect(clean).not.toContain(body(12));
    expect(clean).not.toContain(body(64));
    expect(clean).toContain(`+ANTHROPIC_API_KEY=${REDACTED}`);
    expect(clean).toContain(`+aws_secret_access_key = ${REDACTED}`);
    expect(clean).toContain(`postgres://app:${REDACTED}@db.internal`);
    expect(clean).toContain(
      `-----BEGIN OPENSSH PRIVATE KEY-----${REDACTED}-----END OPENSSH PRIVATE KEY-----`,
    );
    expect(clean).toContain('+PORT=8080');
    // A key that never ends is cut to the end of the text.
    expect(scrub(`-----BEGIN RSA PRIVATE KEY-----\n${body(64)}`)).toBe(
      `-----BEGIN RSA PRIVATE KEY-----${REDACTED}`,
    );
  });

  it("scrubs the patch a refused change leaves among the goal's artifacts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-scrub-'));
    try {
      const diffPath = join(dir, 'fix-1-refused.diff');
      const raw: Pick<WorkspacePort, 'resetToBase'> = {
        async resetToBase(_workspace, path) {
          await writeFile(path, refusedDiff);
          return { previousHead: 'a'.repeat(40), diffSaved: true };
        },
      };
      const workspace = {
        sliceId: 'fix-1',
        path: dir,
        branch: 'omk/fix-1',
        baseSha: 'b'.repeat(40),
        mode: 'worktree' as const,
        fallbackReason: null,
      };
      await scrubbedWorkspaces(raw, scrub, localStateFiles).resetToBase(workspace, diffPath);
      const kept = await readFile(diffPath, 'utf8');
      expect(kept).toContain('+PORT=8080');
      for (const value of [body(40), body(12), body(64)]) expect(kept).not.toContain(value);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
