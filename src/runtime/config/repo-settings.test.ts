import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectCommittedSchema } from '../../../test/helpers/committed-schema.js';
import { REPO_COMMAND_AGENT, repoAgentChoice } from '../app/repo-agent.js';
import {
  readRepoSettings,
  repoAccessVerdict,
  repoAgentVerdict,
  repoSettingsJsonSchema,
} from './repo-settings.js';

const yaml = (text: string): unknown => parse(text);

describe('readRepoSettings', () => {
  it('reads a full file: agent, policies, merge method, budget, access', () => {
    const read = readRepoSettings(
      yaml(
        [
          'agent: codex',
          'policy: auto-pr',
          'mergePolicy: gated',
          'mergeMethod: squash',
          'maxAgents: 2',
          'budget:',
          '  time: 1h30m',
          '  tokens: 200k',
          '  usd: 25',
          'access:',
          '  permission: maintain',
          '  users: [alice, Bob]',
        ].join('\n'),
      ),
    );
    expect(read).toEqual({
      ok: true,
      settings: {
        agent: 'codex',
        policy: 'auto-pr',
        mergePolicy: 'gated',
        mergeMethod: 'squash',
        maxAgents: 2,
        budget: { time: 5_400_000, tokens: 200_000, usd: 25 },
        access: { permission: 'maintain', users: ['alice', 'Bob'] },
      },
    });
  });

  it('an empty or missing file is no settings', () => {
    expect(readRepoSettings(null)).toEqual({ ok: true, settings: {} });
    expect(readRepoSettings(yaml(''))).toEqual({ ok: true, settings: {} });
  });

  it('a command agent is an argv with how it gets the prompt (file by default)', () => {
    const read = readRepoSettings(yaml('agent:\n  command: ["my-agent", "--prompt-file", "{promptFile}"]\n'));
    expect(read).toEqual({
      ok: true,
      settings: { agent: { command: ['my-agent', '--prompt-file', '{promptFile}'], prompt: 'file' } },
    });
  });

  it('names each wrong key and what is wrong with it', () => {
    const read = readRepoSettings(
      yaml(
        [
          'mergeMethod: fast-forward',
          'policy: local',
          'budget: { time: soon }',
          'access: { permission: read }',
          'agent: { command: "my-agent --go" }',
          'mergeMetod: squash',
        ].join('\n'),
      ),
    );
    if (read.ok) throw new Error('expected issues');
    const byKey = Object.fromEntries(read.issues.map((issue) => [issue.key, issue.message]));
    expect(Object.keys(byKey).sort()).toEqual([
      '(the file)',
      'access.permission',
      'agent',
      'budget.time',
      'mergeMethod',
      'policy',
    ]);
    expect(byKey['(the file)']).toBe('unknown key mergeMetod');
    expect(byKey.policy).toContain('local keeps no branches');
    expect(byKey['budget.time']).toBe("'soon' is not a duration such as 30m, 2h or 1h30m");
    expect(byKey['access.permission']).toContain('never less than write');
    expect(byKey.mergeMethod).toMatch(/merge.*squash.*rebase/);
  });

  it('a file that is not a map is refused as a whole', () => {
    const read = readRepoSettings(yaml('- agent: claude\n'));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.issues[0]?.key).toBe('(the file)');
  });
});

describe('repoAgentVerdict: a repository never runs an agent the operator did not allow', () => {
  const operator = { agent: 'claude', allowed: ['codex', 'command:aider'] };

  it("allows the operator's agent and the listed ones", () => {
    expect(repoAgentVerdict('claude', operator)).toEqual({ allowed: true });
    expect(repoAgentVerdict('codex', operator)).toEqual({ allowed: true });
    expect(repoAgentVerdict({ command: ['aider', '--yes'], prompt: 'arg' }, operator)).toEqual({
      allowed: true,
    });
  });

  it('refuses anything else, a command by its program', () => {
    expect(repoAgentVerdict('gemini', operator)).toEqual({ allowed: false, asked: 'gemini' });
    expect(repoAgentVerdict('script:./x.sh', operator)).toEqual({ allowed: false, asked: 'script:./x.sh' });
    expect(repoAgentVerdict({ command: ['sh', '-c', 'aider'], prompt: 'file' }, operator)).toEqual({
      allowed: false,
      asked: 'command:sh',
    });
    expect(repoAgentVerdict('claude', { agent: null, allowed: [] })).toEqual({
      allowed: false,
      asked: 'claude',
    });
  });
});

describe('repoAccessVerdict: the file may only narrow who starts or changes goals', () => {
  const writer = { login: 'dev', permission: 'write', roleName: 'write' };
  const maintainer = { login: 'lead', permission: 'write', roleName: 'maintain' };

  it('no access key: no further rule', () => {
    expect(repoAccessVerdict(undefined, writer)).toBeNull();
  });

  it('a minimum role above write', () => {
    const access = { permission: 'maintain' as const };
    expect(repoAccessVerdict(access, writer)).toEqual({ by: 'role', need: 'maintain' });
    expect(repoAccessVerdict(access, maintainer)).toBeNull();
    expect(repoAccessVerdict(access, { login: 'own', permission: 'admin', roleName: 'admin' })).toBeNull();
    // A custom role with write counts as write, not more.
    expect(repoAccessVerdict(access, { login: 'c', permission: 'write', roleName: 'deployer' })).toEqual({
      by: 'role',
      need: 'maintain',
    });
  });

  it('a list of users, case-insensitive', () => {
    const access = { permission: 'write' as const, users: ['Lead'] };
    expect(repoAccessVerdict(access, maintainer)).toBeNull();
    expect(repoAccessVerdict(access, writer)).toEqual({ by: 'users', users: ['Lead'] });
  });
});

describe('repoAgentChoice', () => {
  it('a name runs as named; a command as a custom agent beside the checkout config', async () => {
    const root = await mkdtemp(join(tmpdir(), 'omk-repo-agent-'));
    try {
      expect(await repoAgentChoice(root, 'codex')).toEqual({ name: 'codex' });
      const choice = await repoAgentChoice(root, { command: ['my-agent', '{prompt}'], prompt: 'arg' });
      expect(choice.name).toBe(REPO_COMMAND_AGENT);
      expect(choice.config?.config.agents.custom[REPO_COMMAND_AGENT]).toEqual({
        argv: ['my-agent', '{prompt}'],
        prompt: 'arg',
        env: [],
        home: [],
        usage: 'none',
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('repoSettingsJsonSchema', () => {
  // Regenerate with: OMK_UPDATE_SCHEMA=1 npx vitest run src/runtime/config/repo-settings.test.ts
  it('matches the committed JSON Schema (schema/omk-repo-settings.schema.json)', async () => {
    await expectCommittedSchema(
      'omk-repo-settings.schema.json',
      repoSettingsJsonSchema(),
      'src/runtime/config/repo-settings.test.ts',
    );
  });
});
