import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSecretEnvName } from '../runtime/app/ports.js';
import { scrubCliEnvironment } from './environ.js';

// The scrub itself is src/adapters/process/scrub-environ.test.ts's, and the CLI's block as an agent
// reads it is test/execution/cli-proc-environ.test.ts's. Here: what the CLI says when it cannot
// scrub, given a /proc entry with nothing in it (this test process's own block is left alone).
let proc: string;
const saved = process.env.GITHUB_TOKEN;

beforeAll(async () => {
  proc = await mkdtemp(join(tmpdir(), 'omk-cli-environ-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = saved;
});
afterAll(async () => {
  await rm(proc, { recursive: true, force: true });
});

describe('scrubCliEnvironment', () => {
  it('warns once, naming the variable still readable and how to confine agents', () => {
    process.env.GITHUB_TOKEN = 'ghp_environTestCanary0123456789';
    const warning = scrubCliEnvironment({ platform: 'linux', proc });
    expect(warning).toMatch(
      /^omk: warning: could not overwrite .*GITHUB_TOKEN.* in omk's start-up environment/,
    );
    expect(warning).toContain('/proc/<pid>/environ');
    expect(warning).toContain(
      'hint: Run agents confined: --sandbox required, or --sandbox auto where bubblewrap works.',
    );
    expect(warning).not.toContain('ghp_environTestCanary');
    expect(warning?.split('\n').filter(Boolean)).toHaveLength(2);
    // process.env still serves the token to the commands that read it.
    expect(process.env.GITHUB_TOKEN).toBe('ghp_environTestCanary0123456789');
  });

  it('says nothing when no variable is a secret', () => {
    const secrets = Object.keys(process.env).filter(isSecretEnvName);
    const kept = Object.fromEntries(secrets.map((name) => [name, process.env[name]]));
    for (const name of secrets) delete process.env[name];
    try {
      expect(scrubCliEnvironment({ platform: 'linux', proc })).toBeNull();
    } finally {
      Object.assign(process.env, kept);
    }
  });

  it('says nothing off Linux, where there is no /proc/<pid>/environ to overwrite', () => {
    process.env.GITHUB_TOKEN = 'ghp_environTestCanary0123456789';
    expect(scrubCliEnvironment({ platform: 'darwin', proc })).toBeNull();
  });
});
