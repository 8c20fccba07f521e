import { describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import type { HostInfo } from '../ports.js';
import { CONTROLLER_LEASE_MS, controllerAlive } from './actions.js';
import type { GoalRecord } from './schema.js';
import type { StoreDeps } from './store.js';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');

function deps(alivePids: readonly number[]): { deps: StoreDeps } {
  const host: HostInfo = {
    pid: 1,
    hostname: 'here',
    isAlive: (pid) => alivePids.includes(pid),
    killGroup: () => false,
  };
  return {
    deps: {
      stateRoot: '/nowhere',
      clock: { nowMs: () => NOW, nowIso: () => new Date(NOW).toISOString() },
      host,
      reporter: { info: () => {}, warn: () => {} },
      files: localStateFiles,
    },
  };
}

function running(host: string, pid: number, beatAgoMs: number): GoalRecord {
  const heartbeatAt = new Date(NOW - beatAgoMs).toISOString();
  return {
    version: 1,
    id: 'g1',
    createdAt: heartbeatAt,
    updatedAt: heartbeatAt,
    revision: 1,
    goal: { text: 'fix it', normalized: 'fix it' },
    oracle: {
      testable: true,
      class: 'fix',
      shape: 'fail_to_pass',
      checks: [],
      requiredGates: [],
      reasons: [],
      humanDecisions: [],
    },
    status: 'running',
    resumeTo: null,
    repo: { root: '/r', baseRef: 'main', baseSha: null },
    options: {
      policy: 'local',
      mergePolicy: 'disabled',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 1,
      agent: null,
      planner: { llm: true, tokenBudget: 8000 },
      allowGateEdits: false,
      allowWorkflowEdits: false,
    },
    budget: { timeMs: null, tokens: null, usd: null },
    controller: { pid, host, startedAt: heartbeatAt, heartbeatAt },
  };
}

describe('controllerAlive', () => {
  it('trusts a fresh heartbeat from another host, and not one older than the lease', () => {
    expect(controllerAlive(deps([]), running('elsewhere', 7, 5_000))).toBe(true);
    expect(controllerAlive(deps([]), running('elsewhere', 7, CONTROLLER_LEASE_MS + 1))).toBe(false);
  });

  it('on this host needs both a live pid and a fresh heartbeat', () => {
    expect(controllerAlive(deps([7]), running('here', 7, 5_000))).toBe(true);
    expect(controllerAlive(deps([]), running('here', 7, 5_000))).toBe(false);
    // A pid reused by another process after a restart does not keep a silent controller alive.
    expect(controllerAlive(deps([7]), running('here', 7, CONTROLLER_LEASE_MS + 1))).toBe(false);
  });

  it('takes a goal another live omk holds as running, whatever its record says; asks only for a goal that may run', () => {
    const asked: string[] = [];
    const holding = deps([]);
    holding.deps.host.otherOmkHolding = (dir) => {
      asked.push(dir);
      return 4242;
    };
    const dead = running('here', 7, 5_000);
    expect(controllerAlive(holding, dead)).toBe(true);
    expect(controllerAlive(holding, { ...dead, controller: null })).toBe(true);
    expect(asked).toEqual(['/nowhere/goals/g1', '/nowhere/goals/g1']);
    expect(controllerAlive(holding, { ...dead, status: 'ready', controller: null })).toBe(false);
    expect(asked).toHaveLength(2);
    holding.deps.host.otherOmkHolding = () => null;
    expect(controllerAlive(holding, dead)).toBe(false);
  });

  it('counts an unreadable heartbeat as expired, and no controller as not alive', () => {
    const goal = running('elsewhere', 7, 0);
    const garbled = { ...goal, controller: goal.controller && { ...goal.controller, heartbeatAt: 'x' } };
    expect(controllerAlive(deps([7]), garbled)).toBe(false);
    expect(controllerAlive(deps([7]), { ...goal, controller: null })).toBe(false);
  });
});
