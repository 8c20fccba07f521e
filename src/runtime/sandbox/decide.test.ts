import { describe, expect, it } from 'vitest';
import { AgentUnavailableError, ConfigError } from '../errors.js';
import {
  decideSandbox,
  mayStartAgent,
  sandboxDecisionRecord,
  sandboxFromEnv,
  sandboxWarnings,
} from './decide.js';
import type { SandboxPort } from './port.js';

const available: SandboxPort = {
  probe: async () => ({ available: true, tool: '/usr/bin/bwrap', network: { isolated: true } }),
};
const noNetns: SandboxPort = {
  probe: async () => ({
    available: true,
    tool: '/usr/bin/bwrap',
    network: { isolated: false, reason: 'bwrap cannot create a network namespace: Operation not permitted' },
  }),
};
const missing: SandboxPort = {
  probe: async () => ({
    available: false,
    reason: 'bwrap not found on the PATH',
    hint: 'install it (apt-get install bubblewrap)',
  }),
};

function reporter() {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

describe('decideSandbox', () => {
  it('confines under auto and required when the host can', async () => {
    for (const mode of ['auto', 'required'] as const) {
      const decision = await decideSandbox(available, mode, reporter());
      expect(decision).toMatchObject({
        mode,
        active: true,
        reason: expect.stringMatching(/^bubblewrap: /),
      });
    }
  });

  it('off never asks the host', async () => {
    const never: SandboxPort = {
      probe: () => {
        throw new Error('probed');
      },
    };
    expect(await decideSandbox(never, 'off', reporter())).toMatchObject({ mode: 'off', active: false });
  });

  it('says, unconfined, whether a subreaper ends what each run leaves running, and why not', async () => {
    const off = await decideSandbox(missing, 'off', reporter(), undefined, { available: true, tool: 'perl' });
    expect(off.reason).toBe(
      'the sandbox is off: agents and gates run unconfined; each run ends what it leaves running (subreaper)',
    );
    const none = {
      available: false,
      reason: 'darwin has no child subreaper (Linux only)',
      hint: 'h',
    } as const;
    const auto = await decideSandbox(missing, 'auto', reporter(), undefined, none);
    expect(auto.reason).toBe(
      'unsandboxed: bwrap not found on the PATH; nothing ends what a run leaves running in a session of its own (no subreaper: darwin has no child subreaper (Linux only))',
    );
    // The proof's warning carries it.
    expect(sandboxWarnings([sandboxDecisionRecord(auto)])).toEqual([
      expect.stringContaining('no subreaper: darwin has no child subreaper'),
    ]);
  });

  it('auto falls back with a warning that says why', async () => {
    const seen = reporter();
    const decision = await decideSandbox(missing, 'auto', seen);
    expect(decision).toEqual({
      mode: 'auto',
      active: false,
      reason: 'unsandboxed: bwrap not found on the PATH',
    });
    expect(seen.warnings).toEqual([expect.stringContaining('unsandboxed: bwrap not found on the PATH')]);
  });

  it("auto runs no agent code but the demo's where the host cannot confine: any other agent is refused, before it starts", async () => {
    const hint =
      /^install it \(apt-get install bubblewrap\); or, to declare the agents trusted, run them unconfined: 'goal run "<goal>" --sandbox off'\.$/;
    for (const spec of ['claude', 'script:./fix.sh', 'my-custom']) {
      const seen = reporter();
      const refused = decideSandbox(missing, 'auto', seen, undefined, undefined, { spec, starts: true });
      await expect(refused).rejects.toBeInstanceOf(AgentUnavailableError);
      await expect(refused).rejects.toMatchObject({
        message: `This host cannot confine agents (bwrap not found on the PATH), and under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${spec} was not started.`,
        hint: expect.stringMatching(hint),
      });
      expect(seen.warnings).toEqual([]);
    }
    // Gates alone (verify, review) run the agent's change: refused the same way.
    const gates = decideSandbox(missing, 'auto', reporter(), undefined, undefined, {
      spec: 'claude',
      starts: false,
    });
    await expect(gates).rejects.toMatchObject({
      message: expect.stringMatching(/: the gates would run claude's change, so none was started\.$/),
      hint: expect.stringMatching(hint),
    });
    // The demo agent is omk's own code: it runs unconfined, said; so do gates with no agent named.
    for (const agent of [{ spec: 'demo', starts: true }, { spec: ' demo ', starts: false }, undefined]) {
      const decision = await decideSandbox(missing, 'auto', reporter(), undefined, undefined, agent);
      expect(decision).toMatchObject({ mode: 'auto', active: false });
    }
    // Where the host confines, or the user declared the agents trusted, any agent starts.
    const claude = { spec: 'claude', starts: true };
    expect((await decideSandbox(available, 'auto', reporter(), undefined, undefined, claude)).active).toBe(
      true,
    );
    expect((await decideSandbox(missing, 'off', reporter(), undefined, undefined, claude)).mode).toBe('off');
  });

  it('an agent a decision made for another covers starts only where that decision lets it', () => {
    const fellBack = { mode: 'auto', active: false, reason: 'unsandboxed: no bwrap' } as const;
    expect(mayStartAgent(fellBack, 'demo')).toBe(true);
    expect(mayStartAgent(fellBack, 'claude')).toBe(false);
    expect(mayStartAgent({ ...fellBack, mode: 'off' }, 'claude')).toBe(true);
    expect(mayStartAgent({ mode: 'auto', active: true, reason: 'bwrap' }, 'claude')).toBe(true);
  });

  it('required refuses with both ways out: install bubblewrap, or turn the sandbox off', async () => {
    const refused = decideSandbox(missing, 'required', reporter());
    await expect(refused).rejects.toBeInstanceOf(AgentUnavailableError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining('sandbox: required, but this host cannot confine agents'),
      hint: expect.stringMatching(/apt-get install bubblewrap.*--sandbox off/),
    });
    // The one-run way out is a step: omk's own words here, each front door's when it shows it.
    await expect(refused).rejects.toMatchObject({
      hint: expect.stringContaining(`run them unconfined: 'goal run "<goal>" --sandbox off'.`),
    });
  });
});

describe('the network of confined agents and gates', () => {
  it('is the policy where the host isolates one: agents open, gates none by default', async () => {
    const decision = await decideSandbox(available, 'auto', reporter());
    expect(decision).toMatchObject({
      active: true,
      network: { agents: 'open', gates: 'none' },
      isolatesNetwork: true,
      reason: expect.stringContaining('network: agents open, gates none'),
    });
    const none = await decideSandbox(available, 'required', reporter(), {
      policy: { agents: 'none', gates: 'open' },
    });
    expect(none.network).toEqual({ agents: 'none', gates: 'open' });
  });

  it('where the host cannot isolate one: required refuses a none, auto shares the network and says so', async () => {
    const refused = decideSandbox(noNetns, 'required', reporter());
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining('cannot isolate a network: bwrap cannot create a network namespace'),
      hint: expect.stringMatching(/sandbox\.network: open.*--sandbox off/),
    });
    // A gate's own `none` asks as much as the policy's.
    const gateAsks = decideSandbox(noNetns, 'required', reporter(), {
      policy: { agents: 'open', gates: 'open' },
      gateAsksNone: true,
    });
    await expect(gateAsks).rejects.toBeInstanceOf(ConfigError);
    const seen = reporter();
    const fellBack = await decideSandbox(noNetns, 'auto', seen);
    expect(fellBack).toMatchObject({
      active: true,
      network: { agents: 'open', gates: 'open' },
      isolatesNetwork: false,
      reason: expect.stringContaining('network: open for all (this host cannot isolate one'),
    });
    expect(seen.warnings).toEqual([expect.stringContaining("share this host's network")]);
    // Open everywhere needs no isolation: no refusal, no warning.
    const quiet = reporter();
    const open = await decideSandbox(noNetns, 'required', quiet, {
      policy: { agents: 'open', gates: 'open' },
    });
    expect(open.network).toEqual({ agents: 'open', gates: 'open' });
    expect(quiet.warnings).toEqual([]);
  });
});

describe('network: allow', () => {
  const allowPolicy = {
    policy: { agents: 'allow', gates: 'none' },
    allowedHosts: ['api.anthropic.com'],
  } as const;
  it('grants the allowed hosts where the host isolates a network and can run the bridge, and says which', async () => {
    const decision = await decideSandbox(available, 'required', reporter(), allowPolicy);
    expect(decision).toMatchObject({
      active: true,
      network: { agents: 'allow', gates: 'none' },
      allowedHosts: ['api.anthropic.com'],
      reason: expect.stringContaining('network: agents allow, gates none (allowed: api.anthropic.com)'),
    });
    // A gate's own allow asks the same.
    const gate = await decideSandbox(available, 'auto', reporter(), {
      policy: { agents: 'open', gates: 'none' },
      gateAsksNone: true,
      gateAsksAllow: true,
      allowedHosts: ['registry.npmjs.org'],
    });
    expect(gate.allowedHosts).toEqual(['registry.npmjs.org']);
    // Nothing asks allow: no hosts in the decision.
    expect((await decideSandbox(available, 'auto', reporter())).allowedHosts).toBeUndefined();
  });

  it('is refused in any mode with no host listed, or without socat for the bridge', async () => {
    for (const mode of ['auto', 'required'] as const) {
      const empty = decideSandbox(available, mode, reporter(), { ...allowPolicy, allowedHosts: [] });
      await expect(empty).rejects.toBeInstanceOf(ConfigError);
      await expect(empty).rejects.toMatchObject({
        message: expect.stringContaining('sandbox.allowedHosts lists no host'),
      });
      const noSocat: SandboxPort = {
        probe: async () => ({
          available: true,
          tool: '/usr/bin/bwrap',
          network: { isolated: true },
          proxy: { available: false, reason: 'socat not found on the PATH' },
        }),
      };
      const bridge = decideSandbox(noSocat, mode, reporter(), allowPolicy);
      await expect(bridge).rejects.toMatchObject({
        message: expect.stringContaining('cannot run its proxy bridge: socat not found on the PATH'),
        hint: expect.stringContaining('apt-get install socat'),
      });
    }
  });

  it('needs an isolated network like none: required refuses it where the host has none', async () => {
    await expect(decideSandbox(noNetns, 'required', reporter(), allowPolicy)).rejects.toMatchObject({
      message: expect.stringContaining('cannot isolate a network'),
    });
  });
});

describe('the proof of a goal whose agents ran unsandboxed', () => {
  it('warns only when a run decided unsandboxed; a goal without the decision gets nothing', () => {
    const gates = { kind: 'gates', decision: 'test required', reason: 'test required' };
    expect(sandboxWarnings([gates])).toEqual([]);
    const confined = sandboxDecisionRecord({ mode: 'auto', active: true, reason: 'bwrap' });
    expect(sandboxWarnings([gates, confined])).toEqual([]);
    const off = sandboxDecisionRecord({ mode: 'off', active: false, reason: 'the sandbox is off' });
    expect(off.decision).toBe('off');
    expect(sandboxWarnings([off])).toEqual([]);
    const fellBack = sandboxDecisionRecord({ mode: 'auto', active: false, reason: 'unsandboxed: no bwrap' });
    expect(fellBack).toEqual({
      kind: 'sandbox',
      decision: 'unsandboxed',
      reason: 'sandbox: auto; unsandboxed: no bwrap',
    });
    expect(sandboxWarnings([confined, fellBack])).toEqual([
      expect.stringContaining('Agents and gates ran unsandboxed (sandbox: auto; unsandboxed: no bwrap)'),
    ]);
  });
});

describe('OMK_SANDBOX', () => {
  it("is this machine's mode when set, nothing when unset, and refused when not a mode", () => {
    expect(sandboxFromEnv({ OMK_SANDBOX: 'off' })).toBe('off');
    expect(sandboxFromEnv({ OMK_SANDBOX: '' })).toBeUndefined();
    expect(sandboxFromEnv({})).toBeUndefined();
    expect(() => sandboxFromEnv({ OMK_SANDBOX: 'yes' })).toThrow(/OMK_SANDBOX must be auto, required or off/);
  });
});
