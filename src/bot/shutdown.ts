import type { Bot } from './bot.js';

/**
 * A clean stop: new webhooks are refused (a comment gets the busy reply and can be posted again;
 * a merge signal is dropped and logged), local runs are told to stop (they record themselves
 * interrupted and push their state, resumable), and what is running or queued is waited for, at
 * most `timeoutMs`. Resolves true when everything drained in time.
 */
export async function drain(bot: Bot, shutdown: AbortController, timeoutMs: number): Promise<boolean> {
  bot.stopAccepting();
  shutdown.abort();
  const busy = bot.commands.running + bot.commands.pending + bot.runs.running + bot.runs.pending;
  bot.deps.reporter.info(`shutting down: refusing new work, waiting for ${busy} job(s)`);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const drained = await Promise.race([bot.idle().then(() => true as const), timedOut]);
  clearTimeout(timer);
  if (drained) bot.deps.reporter.info('shutdown: every job finished');
  else bot.deps.reporter.warn(`shutdown: jobs still running after ${timeoutMs} ms; stopping anyway`);
  return drained;
}
