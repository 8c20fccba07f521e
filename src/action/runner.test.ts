import { describe, expect, it } from 'vitest';
import type { ActionCore } from '../adapters/actions-runner/core.js';
import { maskedTokenInputs } from './mask.js';
import { runAction } from './runner.js';

/** A core that records every call in order, serving inputs from a map. */
function recordingCore(inputs: Record<string, string>) {
  const calls: [string, string][] = [];
  const record = (kind: string) => (message: string) => {
    calls.push([kind, message]);
  };
  const core: ActionCore = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: record('setSecret'),
    setOutput: (name, value) => calls.push(['setOutput', `${name}=${value}`]),
    setFailed: record('setFailed'),
    debug: record('debug'),
    info: record('info'),
    notice: record('notice'),
    warning: record('warning'),
    error: record('error'),
    group: (_name, fn) => fn(),
    writeSummary: async (markdown) => {
      calls.push(['writeSummary', markdown]);
    },
    saveState: (name, value) => calls.push(['saveState', `${name}=${value}`]),
    getState: () => '',
  };
  return { core, calls };
}

const signals = { subscribe: () => () => {} };

describe('runAction', () => {
  it('masks the token before anything else and fails once, through setFailed', async () => {
    const { core, calls } = recordingCore({ 'github-token': 'ghs_secret', command: 'nope' });
    const env: Record<string, string | undefined> = { GITHUB_STEP_SUMMARY: '/dev/null' };
    await runAction({ core, env, cwd: '/', signals });
    expect(calls.slice(0, 2)).toEqual([
      ['setSecret', 'ghs_secret'],
      ['setSecret', Buffer.from('x-access-token:ghs_secret').toString('base64')],
    ]);
    const failures = calls.filter(([kind]) => kind === 'setFailed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.[1]).toContain("command: 'nope' is not one of");
    expect(calls.at(-1)?.[0]).toBe('setFailed');
    expect(calls.find(([kind]) => kind === 'writeSummary')?.[1]).toContain('# ❌ omk failed');
    expect(calls.filter(([kind, text]) => kind !== 'setSecret' && text.includes('ghs_secret'))).toEqual([]);
  });

  it("masks only what the runner's entry has not masked already", async () => {
    const { core, calls } = recordingCore({
      'github-token': 'ghs_secret',
      'ci-token': 'ghp_ci',
      command: 'nope',
    });
    const env: Record<string, string | undefined> = {};
    await runAction({
      core,
      env,
      cwd: '/',
      signals,
      masked: maskedTokenInputs({ 'INPUT_GITHUB-TOKEN': 'ghs_secret' }),
    });
    expect(calls.filter(([kind]) => kind === 'setSecret')).toEqual([
      ['setSecret', 'ghp_ci'],
      ['setSecret', Buffer.from('x-access-token:ghp_ci').toString('base64')],
    ]);
  });

  it('removes the token input from the environment children inherit', async () => {
    const { core } = recordingCore({
      'github-token': 'ghs_secret',
      command: 'status',
      'goal-id': 'g-123456',
    });
    const env: Record<string, string | undefined> = { 'INPUT_GITHUB-TOKEN': 'ghs_secret' };
    await runAction({ core, env, cwd: '/', signals });
    expect(env['INPUT_GITHUB-TOKEN']).toBeUndefined();
  });

  it('says a missing job environment is a setup problem', async () => {
    const { core, calls } = recordingCore({ 'github-token': 't', command: 'status', 'goal-id': 'g-123456' });
    await runAction({ core, env: {}, cwd: '/', signals });
    const failure = calls.find(([kind]) => kind === 'setFailed')?.[1] ?? '';
    expect(failure).toContain('GITHUB_REPOSITORY is not set');
    expect(failure).toContain('Run this Action as a step of a GitHub Actions job');
  });
});
