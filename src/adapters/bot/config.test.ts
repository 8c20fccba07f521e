import { describe, expect, it } from 'vitest';
import { readBotConfig } from './config.js';

describe('readBotConfig', () => {
  it('has defaults for everything but the local agent', () => {
    const config = readBotConfig({});
    expect(config).toMatchObject({
      mode: 'actions',
      workflow: 'omk.yml',
      runConcurrency: 2,
      commandConcurrency: 8,
      queueLimit: 1000,
      agent: null,
      allowBots: [],
      stateBranch: 'omk/state',
      statusGapMs: 1000,
    });
  });

  it('takes the gap between status edits in ms, 0 included, and refuses anything else', () => {
    expect(readBotConfig({ OMK_BOT_STATUS_GAP_MS: '250' }).statusGapMs).toBe(250);
    expect(readBotConfig({ OMK_BOT_STATUS_GAP_MS: '0' }).statusGapMs).toBe(0);
    expect(readBotConfig({ OMK_BOT_STATUS_GAP_MS: ' ' }).statusGapMs).toBe(1000);
    expect(() => readBotConfig({ OMK_BOT_STATUS_GAP_MS: '-1' })).toThrow(
      "OMK_BOT_STATUS_GAP_MS: '-1' is not a whole number from 0 to 60000.",
    );
    expect(() => readBotConfig({ OMK_BOT_STATUS_GAP_MS: '1s' })).toThrow(/OMK_BOT_STATUS_GAP_MS/);
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => readBotConfig({ OMK_BOT_MODE: 'serverless' })).toThrow(/OMK_BOT_MODE: 'serverless'/);
    expect(() => readBotConfig({ OMK_BOT_CONCURRENCY: '0' })).toThrow(/OMK_BOT_CONCURRENCY/);
    expect(() => readBotConfig({ OMK_BOT_WORKFLOW: '../x.yml' })).toThrow(/OMK_BOT_WORKFLOW/);
    expect(() => readBotConfig({ OMK_STATE_BRANCH: '-x' })).toThrow(/OMK_STATE_BRANCH/);
    expect(() => readBotConfig({ OMK_BOT_MODE: 'local' })).toThrow(/OMK_BOT_AGENT/);
  });

  it('ends each refusal of a name with an example in .env notation', () => {
    expect(() => readBotConfig({ OMK_BOT_MODE: 'serverless' })).toThrow(
      "OMK_BOT_MODE: 'serverless' is not one of actions, local. Example: OMK_BOT_MODE=actions",
    );
    expect(() => readBotConfig({ OMK_BOT_WORKFLOW: '../x.yml' })).toThrow(
      "OMK_BOT_WORKFLOW: '../x.yml' is not a workflow file name (omk.yml) or id. Example: OMK_BOT_WORKFLOW=omk.yml",
    );
  });

  it('takes a mode and a workflow with spaces around them, and defaults for blank ones', () => {
    expect(readBotConfig({ OMK_BOT_MODE: ' local ', OMK_BOT_AGENT: 'demo' }).mode).toBe('local');
    expect(readBotConfig({ OMK_BOT_WORKFLOW: ' ci.yaml\n' }).workflow).toBe('ci.yaml');
    expect(readBotConfig({ OMK_BOT_MODE: '\n', OMK_BOT_WORKFLOW: ' ' })).toMatchObject({
      mode: 'actions',
      workflow: 'omk.yml',
    });
  });

  it('refuses a state branch of a newline alone: only spaces are blank there', () => {
    expect(() => readBotConfig({ OMK_STATE_BRANCH: '\n' })).toThrow(
      /OMK_STATE_BRANCH: '.*' is not a state branch/,
    );
    expect(readBotConfig({ OMK_STATE_BRANCH: '   ' }).stateBranch).toBe('omk/state');
  });

  it.each(['main', 'main\n', 'main\r', 'HEAD', 'FETCH_HEAD', 'refs/heads/main', 'refs/remotes/origin/main'])(
    'refuses OMK_STATE_BRANCH=%j: the state branch is a plain branch under omk/',
    (value) => {
      expect(() => readBotConfig({ OMK_STATE_BRANCH: value })).toThrow(
        /OMK_STATE_BRANCH: '.*' is not a state branch omk can use: .*Example: OMK_STATE_BRANCH=omk\/state/,
      );
    },
  );

  it('takes a state branch under omk/', () => {
    expect(readBotConfig({ OMK_STATE_BRANCH: ' omk/bot-state ' }).stateBranch).toBe('omk/bot-state');
    expect(readBotConfig({ OMK_STATE_BRANCH: '' }).stateBranch).toBe('omk/state');
  });

  it('reads the allowlist and the local agent', () => {
    const config = readBotConfig({
      OMK_BOT_MODE: 'local',
      OMK_BOT_AGENT: 'demo',
      OMK_BOT_ALLOW_BOTS: ' a[bot], b[bot] ,',
    });
    expect(config.agent).toBe('demo');
    expect(config.allowBots).toEqual(['a[bot]', 'b[bot]']);
  });
});
