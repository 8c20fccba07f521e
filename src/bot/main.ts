import type { ApplicationFunctionOptions, Probot } from 'probot';
import { scrubOwnSecrets } from '../adapters/process/own-secrets.js';
import { unscrubbedWarning } from '../runtime/app/render.js';
import { createOmkApp } from './app.js';
import type { Bot } from './bot.js';
import { productionDeps } from './compose.js';

/** How long a shutdown waits for local runs to record themselves interrupted and push state. */
const DRAIN_MS = 60_000;

/**
 * The entry `probot run ./dist/bot.js` loads. Probot verifies signatures, serves the webhook path
 * and authenticates as the app (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET); the bot
 * reads its own settings (OMK_BOT_*) when loaded, after overwriting every secret of the environment
 * block it was started with (process.env keeps them). On SIGTERM or SIGINT new work is refused,
 * running jobs finish, running goals are interrupted (resumable) and their state is pushed, then
 * the signal takes its default course.
 */
export default async function omkBot(app: Probot, options: ApplicationFunctionOptions): Promise<void> {
  // Probot has read its settings: the app's key and secret (and any token) leave the block that
  // /proc/<pid>/environ shows every process of this user, agents run without the sandbox included.
  const unscrubbed = scrubOwnSecrets();
  if (unscrubbed !== null) app.log.warn(unscrubbedWarning(unscrubbed).message);
  const shutdown = new AbortController();
  let bot: Bot | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    const drained = bot === null ? Promise.resolve(true) : bot.lanes.drain(shutdown, DRAIN_MS);
    void drained.finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const appFn = createOmkApp(
    (probot) => productionDeps(probot, process.env, shutdown.signal),
    (created) => {
      bot = created;
    },
  );
  await appFn(app, options);
}
