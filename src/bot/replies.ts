import { type Access, errorWords, isOmkError, type Proof, type ThreadAnswer } from '../runtime/app/index.js';
import { accessRefusal, clip, code, renderProofMarkdown, text } from '../runtime/app/render.js';
import { HELP_FOOTER, type Subcommand, usageBlock } from './usage.js';
import { BOT_STEPS, BOT_WORDS } from './wording.js';

/**
 * Every reply the bot writes, as pure functions of what happened (the lines of a thread's outcomes
 * are the runtime's, `app/thread-words.ts`). User text is clipped and escaped; no reply starts a
 * line with `/omk`, so a reply can never be read as a command.
 */

/** GitHub refuses comments over 65,536 characters. */
const MAX_REPLY = 60_000;

function to(login: string): string {
  // Logins are [A-Za-z0-9-] (plus `[bot]`): safe to mention as they are.
  return /^[A-Za-z0-9-]+(\[bot\])?$/.test(login) ? `@${login}` : text(login);
}

function bounded(body: string): string {
  return body.length > MAX_REPLY ? `${body.slice(0, MAX_REPLY)}…\n` : body;
}

export function helpReply(login: string): string {
  return `${to(login)} here is what I can do:\n\n${usageBlock()}\n\n${HELP_FOOTER}\n`;
}

export function usageReply(login: string, problem: string, topic: Subcommand | null): string {
  return `${to(login)} I could not read that command: ${text(clip(problem, 600))}\n\n${usageBlock(topic ?? undefined)}\n`;
}

export function bidiReply(login: string): string {
  return (
    `${to(login)} that command line holds bidirectional control characters, which can make it read ` +
    'differently from what it does, so I did not act on it. Please type it again without them.\n'
  );
}

export function refusalReply(login: string, need: Access): string {
  return plainReply(login, [accessRefusal(need)]);
}

export function busyReply(login: string): string {
  return `${to(login)} omk is busy right now and could not queue this command. Please try again in a few minutes.\n`;
}

export function noGoalReply(login: string): string {
  return (
    `${to(login)} there is no omk goal in this thread yet. Start one with ${code('/omk goal run "<goal>"')}, ` +
    'or name the goal: add its GOAL_ID to the command.\n'
  );
}

/** The one place errors become words for a person: typed errors with their hint, others hidden. */
export function errorReply(login: string, error: unknown): string {
  if (isOmkError(error)) {
    // Quoted: a hint that starts with a command example can never read as a command.
    const { message, hint } = errorWords(error, BOT_WORDS);
    const quoted = hint ? `\n\n> ${text(clip(hint, 600))}` : '';
    return `${to(login)} ${text(clip(message, 1000))}${quoted}\n`;
  }
  return `${to(login)} omk hit an internal error and stopped; nothing else was changed. The app's log has the details.\n`;
}

/** The first line after the mention, the others as a list (no line of it can start a command). */
export function plainReply(login: string, lines: readonly string[]): string {
  const [first = '', ...rest] = lines.map((line) => text(line));
  return bounded(`${to(login)} ${first}${rest.map((line) => `\n- ${line}`).join('')}\n`);
}

function proofReply(login: string, goalId: string, proof: Proof | null): string {
  const body = proof === null ? 'The goal has no proof yet.' : renderProofMarkdown(proof, BOT_STEPS);
  return bounded(`${to(login)} the proof of goal \`${goalId}\`:\n\n${body}`);
}

/** A thread's answer as a reply; null when it is none (a log line is the caller's to write). */
export function answerReply(login: string, answer: ThreadAnswer): string | null {
  if (answer.kind === 'lines') return plainReply(login, answer.lines);
  return answer.kind === 'proof' ? proofReply(login, answer.goalId, answer.proof) : null;
}
