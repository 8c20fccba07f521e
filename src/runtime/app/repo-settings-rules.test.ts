import { describe, expect, it } from 'vitest';
import { ForgeError, UsageError } from '../errors.js';
import { createGoalRequestSchema, parseRequest } from '../requests.js';
import {
  loadRepoSettings,
  REPO_SETTINGS_FILE,
  type RepoSettingsFile,
  repoAccessRefusal,
  repoBudgetCap,
  withRepoSettings,
} from './repo-settings-rules.js';
import { plainVocabulary } from './vocabulary.js';

const operator = { agent: 'claude', allowed: ['codex', 'command:make'] };
const file = (config: unknown): (() => Promise<RepoSettingsFile>) => {
  return async () => ({ config, sources: ['acme/app:.github/omk.yml'] });
};

describe('loadRepoSettings', () => {
  it("is the operator's defaults without a file, and the file's settings with one", async () => {
    expect(await loadRepoSettings(async () => null, operator, plainVocabulary)).toEqual({
      ok: true,
      settings: {},
      sources: [],
    });
    const loaded = await loadRepoSettings(file({ agent: 'codex', maxAgents: 2 }), operator, plainVocabulary);
    expect(loaded).toEqual({
      ok: true,
      settings: { agent: 'codex', maxAgents: 2 },
      sources: ['acme/app:.github/omk.yml'],
    });
  });

  it('refuses an invalid file with its key and what to do', async () => {
    const loaded = await loadRepoSettings(file({ maxAgents: 'many', colour: 1 }), operator, plainVocabulary);
    expect(loaded.ok).toBe(false);
    const lines = loaded.ok ? [] : loaded.lines;
    expect(lines[0]).toBe(`${REPO_SETTINGS_FILE} (acme/app:.github/omk.yml) is not valid:`);
    expect(lines.some((line) => line.startsWith('maxAgents: '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Fix \.github\/omk\.yml on the default branch/);
  });

  it('refuses an agent the operator did not allow, naming the allowed ones', async () => {
    const loaded = await loadRepoSettings(file({ agent: 'gemini' }), operator, plainVocabulary);
    expect(loaded).toMatchObject({ ok: false });
    expect(loaded.ok ? '' : loaded.lines[0]).toContain(
      'asks for the agent gemini, which the operator of this app does not allow here (allowed: claude, codex, command:make).',
    );
  });

  it("answers GitHub's failure to hand the file over without blaming the file", async () => {
    const failing = async () => {
      throw new ForgeError('GitHub answered 502.');
    };
    expect(await loadRepoSettings(failing, operator, plainVocabulary)).toEqual({
      ok: false,
      lines: [
        `I could not read ${REPO_SETTINGS_FILE}, so nothing was run: GitHub answered 502.`,
        'Post the command again in a few minutes.',
      ],
    });
    const bug = async () => {
      throw new TypeError('boom');
    };
    await expect(loadRepoSettings(bug, operator, plainVocabulary)).rejects.toThrow('boom');
  });
});

describe('repoAccessRefusal', () => {
  const writer = { permission: 'write', roleName: 'write' };
  it('names the role or the people the file lets start goals; null when it lets the person', () => {
    expect(repoAccessRefusal({}, 'ana', writer)).toBeNull();
    expect(repoAccessRefusal({ access: { permission: 'maintain' } }, 'ana', writer)).toContain(
      'lets only people with maintain or admin permission start or change goals',
    );
    expect(
      repoAccessRefusal({ access: { permission: 'write', users: ['bo', 'cy'] } }, 'ana', writer),
    ).toContain('lets only bo, cy start or change goals');
    expect(repoAccessRefusal({ access: { permission: 'write', users: ['ANA'] } }, 'ana', writer)).toBeNull();
  });
});

describe('withRepoSettings and repoBudgetCap', () => {
  const request = parseRequest(createGoalRequestSchema, {
    goal: 'fix the parser',
    rawGoal: 'fix the parser',
    repo: '.',
    budget: { time: '3h', usd: '40' },
  });

  it("refuses a start asking for more than the file's cap, in the host's words", () => {
    const ask = () =>
      withRepoSettings(
        request,
        ['budgetTime', 'budgetUsd'],
        { budget: { time: 3_600_000, usd: 25 } },
        plainVocabulary,
      );
    expect(ask).toThrow(UsageError);
    expect(ask).toThrow(
      "This command asks for 3h (budgetTime), more than the 1h this repository's .github/omk.yml allows a goal (budget.time) and $40.00 (budgetUsd), more than the $25.00 this repository's .github/omk.yml allows a goal (budget.usd). Nothing was started.",
    );
    expect(withRepoSettings(request, [], { maxAgents: 3 }, plainVocabulary).maxAgents).toBe(3);
  });

  it('caps additions to a goal at the file budget, saying how much room is left', () => {
    expect(repoBudgetCap({}, plainVocabulary)).toBeUndefined();
    const cap = repoBudgetCap({ budget: { tokens: 100_000 } }, plainVocabulary);
    expect(cap?.limits).toEqual({ timeMs: undefined, tokens: 100_000, usd: undefined });
    const error = cap?.refusal([{ part: 'tokens', added: 50_000, limit: 120_000, cap: 100_000 }], 'g-1');
    expect(error?.message).toBe(
      "This command would raise the budget of goal g-1: its tokens to 120,000 tokens (adding 50,000 tokens), more than the 100,000 tokens this repository's .github/omk.yml allows a goal (budget.tokens). Nothing was added.",
    );
    expect(error instanceof UsageError ? error.hint : '').toContain('Add at most 30,000 tokens (tokens)');
  });
});
