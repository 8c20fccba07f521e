import { join } from 'node:path';
import type { StateFiles } from '../state/port.js';
import type { AgentRunInput, AgentRunResult, AgentUsage } from './port.js';

// The files an agent adapter writes for one attempt in the run's artifacts directory: the prompt
// it hands the agent (before it starts), the output (the transcript) and the usage it read (after
// the agent ended). Unsandboxed, an agent can write there too: a file of another attempt that
// appears while it runs is its own (named by the state root's check, `integrity/state-root.ts`),
// and this attempt's prompt and usage are omk's only when they say what omk gave and read.

export interface AgentRunFiles {
  prompt: string;
  transcript: string;
  usage: string;
}

export function agentRunFiles(artifactsDir: string, attempt: number): AgentRunFiles {
  return {
    prompt: join(artifactsDir, `prompt-${attempt}.md`),
    transcript: join(artifactsDir, `transcript-${attempt}.log`),
    usage: join(artifactsDir, `usage-${attempt}.json`),
  };
}

/**
 * Takes this attempt's prompt and usage files as omk's (`keep`, so a later change is found before
 * the proof) when they hold what the run was given and what it reported; a file that says anything
 * else is left for the state root's check to name.
 */
export async function keepRunInputs(
  files: Pick<StateFiles, 'readText'>,
  keep: (path: string) => Promise<void>,
  input: Pick<AgentRunInput, 'artifactsDir' | 'attempt' | 'prompt'>,
  result: Pick<AgentRunResult, 'usage'>,
): Promise<void> {
  const { prompt, usage } = agentRunFiles(input.artifactsDir, input.attempt);
  if ((await files.readText(prompt)) === input.prompt) await keep(prompt);
  if (sameUsage(await files.readText(usage), result.usage)) await keep(usage);
}

function sameUsage(text: string | null, usage: AgentUsage): boolean {
  if (text === null) return false;
  try {
    const written = JSON.parse(text) as { tokens?: unknown; usd?: unknown };
    return written.tokens === usage.tokens && written.usd === usage.usd;
  } catch {
    return false;
  }
}
