import type { ApplicationFunction, Probot } from 'probot';
import { BotHost } from '../adapters/bot/bot-host.js';
import type { Bot, BotDeps, BotJob } from './bot.js';
import { onChangesRequested, onComment, onMergeSignal, onReviewComment } from './intake.js';

/**
 * The Probot app. Composition happens when Probot loads it (never at import time): `makeDeps`
 * builds the bot's dependencies from the app (its auth, its logger), `ready` hands the bot to the
 * caller (tests wait for its queues). Only `issue_comment.created` is read: an edited comment
 * does not run a command again.
 */
export function createOmkApp(
  makeDeps: (app: Probot) => BotDeps,
  ready?: (bot: Bot) => void,
): ApplicationFunction {
  return (app) => {
    const bot: Bot = new BotHost<BotJob>(makeDeps(app));
    ready?.(bot);
    app.on('issue_comment.created', (context) => onComment(bot, context));
    app.on('check_suite.completed', async (context) => {
      const suite = context.payload.check_suite;
      onMergeSignal(bot, context.name, context.payload, [
        suite.head_branch,
        ...suite.pull_requests.map((pull) => pull.head.ref),
      ]);
    });
    app.on('check_run.completed', async (context) => {
      const run = context.payload.check_run;
      onMergeSignal(bot, context.name, context.payload, [
        run.check_suite.head_branch,
        ...run.pull_requests.map((pull) => pull.head.ref),
      ]);
    });
    app.on('status', async (context) => {
      if (context.payload.state === 'pending') return;
      onMergeSignal(
        bot,
        context.name,
        context.payload,
        context.payload.branches.map((branch) => branch.name),
      );
    });
    app.on('pull_request_review.submitted', async (context) => {
      onMergeSignal(bot, context.name, context.payload, [context.payload.pull_request.head.ref]);
      onChangesRequested(bot, context);
    });
    app.on('pull_request_review_comment.created', async (context) => onReviewComment(bot, context));
  };
}
