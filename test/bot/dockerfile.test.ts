import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The Dockerfile's image serves webhooks through `docker run -p 3000:3000`, which reaches the
// container's own interface, never its loopback: the bot must listen on every interface there.
// Probot listens on `localhost` unless HOST says otherwise. This starts the bot as the image's CMD
// does, with the image's ENV, and reads where it listens from the kernel's socket table.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `ENV A=1 B=2` lines (with `\` continuations) and the JSON-array CMD of the Dockerfile. */
function imageOf(dockerfile: string): { env: Record<string, string>; cmd: string[] } {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const env: Record<string, string> = {};
  for (const line of lines.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  const cmd = lines.find((l) => l.startsWith('CMD '));
  return { env, cmd: cmd === undefined ? [] : (JSON.parse(cmd.slice(4)) as string[]) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Local addresses (hex, as /proc/net/tcp{,6} write them) of the sockets listening on `port`. */
async function listeningOn(port: number): Promise<string[]> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8')).split('\n').slice(1);
    for (const row of rows) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}

let bot: ChildProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  bot?.kill();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('runs the bot listening on every interface, so a published port reaches it', async () => {
    const image = imageOf(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
    expect(image.cmd.slice(0, 3)).toEqual(['node_modules/.bin/probot', 'run', './dist/bot.js']);
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-image-'));
    const port = await freePort();
    const [program = '', ...args] = image.cmd;
    bot = spawn(join(ROOT, program), args, {
      cwd: ROOT,
      env: {
        ...image.env,
        PATH: process.env.PATH ?? '',
        HOME: dir,
        APP_ID: '1',
        PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs1', format: 'pem' })
          .toString(),
        WEBHOOK_SECRET: 'image-test-secret',
        // The image's port may be taken on this machine; where it listens is the question.
        PORT: String(port),
        OMK_BOT_WORK_DIR: dir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bot did not listen:\n${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      bot?.stdout?.on('data', read);
      bot?.stderr?.on('data', read);
      bot?.once('exit', (code) => reject(new Error(`the bot exited (${code}):\n${output}`)));
    });
    // The image's HEALTHCHECK asks the loopback, which answers either way.
    expect(await (await fetch(`http://127.0.0.1:${port}/ping`)).text()).toBe('PONG');
    const any = new Set(['00000000', '0'.repeat(32)]);
    expect(await listeningOn(port)).toEqual([expect.toSatisfy((address: string) => any.has(address))]);
  }, 40_000);
});
