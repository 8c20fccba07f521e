import { describe, expect, it } from 'vitest';
import { agentChoiceOf } from './agent-flags.js';

describe('agentChoiceOf', () => {
  it('names the agent, the sandbox, and one network for agents and gates alike', () => {
    expect(agentChoiceOf({ agent: 'demo', sandbox: 'required', sandboxNetwork: 'none' })).toEqual({
      name: 'demo',
      sandbox: 'required',
      network: { agents: 'none', gates: 'none' },
    });
  });

  it('leaves out what was not given, or is not a known mode or network', () => {
    expect(agentChoiceOf({})).toEqual({});
    expect(agentChoiceOf({ sandbox: 'on', sandboxNetwork: 'lan' })).toEqual({});
  });
});
