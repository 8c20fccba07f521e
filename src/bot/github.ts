// The bot's GitHub client is an adapter: adapters/bot/github.ts.
export type {
  BotGitHub,
  PayloadRepository,
  Reaction,
  RepoRef,
  ThreadComment,
} from '../adapters/bot/github.js';
export { createBotGitHub, repoRefOf } from '../adapters/bot/github.js';
