import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../runtime/ports.js';
import { parseFault, parseFaultStep, withFaultInjection } from './fault.js';

const host: HostInfo = {
  pid: 1,
  hostname: 'test',
  isAlive: () => true,
  killGroup: () => false,
};

describe('OMK_FAULT_AFTER_EVENT', () => {
  it('reads a type and an optional count', () => {
    expect(parseFault('pr_opened')).toEqual({ type: 'pr_opened', n: 1 });
    expect(parseFault('pr_opened:3')).toEqual({ type: 'pr_opened', n: 3 });
  });

  it('turns injection off for anything else', () => {
    for (const value of [undefined, '', 'pr_opened:0', 'pr_opened:x', 'PR', 'a b', 'pr_opened:1:2']) {
      expect(parseFault(value), String(value)).toBeNull();
    }
  });

  it('leaves the host as it is without the variable', () => {
    expect(withFaultInjection(host, {})).toBe(host);
    expect(withFaultInjection(host, {}).afterEvents).toBeUndefined();
  });

  it('adds the hook, keeping the host, when it is set', () => {
    const faulty = withFaultInjection(host, { OMK_FAULT_AFTER_EVENT: 'goal_merged' });
    expect(faulty.hostname).toBe('test');
    expect(typeof faulty.afterEvents).toBe('function');
    // Other types never kill (this process would be gone if they did).
    faulty.afterEvents?.(['pr_opened', 'merge_evaluated']);
    expect(faulty.pid).toBe(1);
  });
});

describe('OMK_FAULT_AT', () => {
  it('reads a step of FAULT_STEPS with an optional count, and nothing else', () => {
    expect(parseFaultStep('plan_proposed')).toEqual({ type: 'plan_proposed', n: 1 });
    expect(parseFaultStep('goal_planned:2')).toEqual({ type: 'goal_planned', n: 2 });
    for (const value of [undefined, '', 'plan_propsed', 'pr_opened', 'goal_recorded:0']) {
      expect(parseFaultStep(value), String(value)).toBeNull();
    }
  });

  it('adds the step hook alone when only it is set; other steps never kill', () => {
    expect(withFaultInjection(host, { OMK_FAULT_AT: 'no_such_step' })).toBe(host);
    const faulty = withFaultInjection(host, { OMK_FAULT_AT: 'plan_files_written' });
    expect(typeof faulty.reached).toBe('function');
    faulty.reached?.('goal_recorded');
    faulty.reached?.('plan_proposed');
    faulty.afterEvents?.(['plan_files_written']);
    expect(faulty.pid).toBe(1);
  });
});
