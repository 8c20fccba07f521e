import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run bot` (probot run ./dist/bot.js) as a process of its own: an unsandboxed agent of the same
// user could read its /proc/<pid>/environ, and an app's private key is every installation's
// repositories. Once the app is loaded (Probot listens only after), the block holds none of it.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
const WEBHOOK_SECRET = 'whsec_botCanary0123456789';
const TOKEN = 'ghp_botCanary0123456789abcdefXYZ';

let dir: string;
let bot: ChildProcess;
let output = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-bot-environ-'));
  bot = spawn(process.execPath, [join(ROOT, 'node_modules/probot/bin/probot.js'), 'run', './dist/bot.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      APP_ID: '1',
      PRIVATE_KEY,
      WEBHOOK_SECRET,
      GITHUB_TOKEN: TOKEN,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      OMK_BOT_MODE: 'actions',
      OMK_BOT_WORK_DIR: dir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not listen:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    bot.stdout?.on('data', read);
    bot.stderr?.on('data', read);
    bot.once('exit', (code) => reject(new Error(`the bot exited (${code}):\n${output}`)));
  });
}, 40_000);
afterAll(async () => {
  bot?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe("the bot's own /proc/<pid>/environ", () => {
  it('holds neither the private key, the webhook secret nor a token, the names kept', async () => {
    if (bot.pid === undefined) throw new Error('the bot did not start');
    const entries = (await readFile(`/proc/${bot.pid}/environ`, 'utf8')).split('\0');
    const keyBody = PRIVATE_KEY.split('\n')[1] ?? '';
    for (const value of [keyBody, WEBHOOK_SECRET, TOKEN]) {
      expect(entries.filter((entry) => entry.includes(value))).toEqual([]);
    }
    expect(entries).toContain(`WEBHOOK_SECRET=${'*'.repeat(WEBHOOK_SECRET.length)}`);
    expect(entries).toContain(`GITHUB_TOKEN=${'*'.repeat(TOKEN.length)}`);
    expect(entries).toContain(`PRIVATE_KEY=${'*'.repeat(Buffer.byteLength(PRIVATE_KEY))}`);
    expect(entries).toContain('APP_ID=1');
    expect(output).not.toContain('could not overwrite');
  });
});
