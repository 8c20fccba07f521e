import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expectCommittedSchema } from '../../../test/helpers/committed-schema.js';
import {
  configJsonSchema,
  configSchema,
  DEFAULT_GATE_TIMEOUT_MS,
  defaultConfig,
  durationSchema,
} from './schema.js';

describe('config schema', () => {
  it('has defaults for an empty file', () => {
    expect(defaultConfig()).toEqual({
      version: 1,
      gates: { detect: true, timeout: DEFAULT_GATE_TIMEOUT_MS, home: 'own', list: [] },
      workspace: { install: true, timeout: 600_000, keep: false },
      agents: { custom: {}, settings: {} },
      planner: {},
      merge: { requireChecks: 'auto' },
      logs: {},
      sandbox: { mode: 'auto', network: { agents: 'open', gates: 'none' }, allowedHosts: [] },
    });
  });

  it('reads merge.requireChecks as auto, none or a list, and says what else it may be', () => {
    const parse = (requireChecks: unknown) => configSchema.safeParse({ merge: { requireChecks } });
    expect(parse('none').data?.merge.requireChecks).toBe('none');
    expect(parse(['build', 'test']).data?.merge.requireChecks).toEqual(['build', 'test']);
    expect(parse([]).error?.issues[0]?.message).toContain('list at least one check name');
    expect(parse('always').success).toBe(false);
  });

  it('takes sandbox auto, required or off and refuses anything else', () => {
    expect(configSchema.parse({ sandbox: 'required' }).sandbox.mode).toBe('required');
    expect(configSchema.parse({ sandbox: 'off' }).sandbox.mode).toBe('off');
    expect(configSchema.safeParse({ sandbox: 'yes' }).success).toBe(false);
  });

  it('reads sandbox.network for both kinds or per kind, defaulting agents open and gates none', () => {
    const sandbox = (value: unknown) => configSchema.parse({ sandbox: value }).sandbox;
    expect(sandbox('required')).toEqual({
      mode: 'required',
      network: { agents: 'open', gates: 'none' },
      allowedHosts: [],
    });
    expect(sandbox({ network: 'none' })).toEqual({
      mode: 'auto',
      network: { agents: 'none', gates: 'none' },
      allowedHosts: [],
    });
    expect(sandbox({ mode: 'required', network: 'open' }).network).toEqual({ agents: 'open', gates: 'open' });
    expect(sandbox({ network: { gates: 'open' } }).network).toEqual({ agents: 'open', gates: 'open' });
    expect(sandbox({ network: { agents: 'none' } }).network).toEqual({ agents: 'none', gates: 'none' });
    expect(configSchema.safeParse({ sandbox: { network: 'allowlist' } }).success).toBe(false);
    expect(configSchema.safeParse({ sandbox: { network: { models: 'open' } } }).success).toBe(false);
    const gate = configSchema.parse({
      gates: { list: [{ name: 'e2e', run: ['npm', 'run', 'e2e'], network: 'open' }] },
    });
    expect(gate.gates.list[0]?.network).toBe('open');
    expect(configSchema.safeParse({ gates: { list: [{ name: 'e2e', network: 'some' }] } }).success).toBe(
      false,
    );
  });

  it('reads sandbox.allowedHosts as host, host:port or *.domain, and refuses a URL or a path', () => {
    const parsed = configSchema.parse({
      sandbox: {
        network: { agents: 'allow' },
        allowedHosts: ['api.anthropic.com', 'localhost:8080', '*.googleapis.com'],
      },
    }).sandbox;
    expect(parsed.network).toEqual({ agents: 'allow', gates: 'none' });
    expect(parsed.allowedHosts).toEqual(['api.anthropic.com', 'localhost:8080', '*.googleapis.com']);
    for (const bad of ['https://api.anthropic.com', 'api.anthropic.com/v1', '*', 'a b', '']) {
      const refused = configSchema.safeParse({ sandbox: { allowedHosts: [bad] } });
      expect(refused.success, bad).toBe(false);
      expect(z.prettifyError(refused.error ?? new z.ZodError([]))).toContain(
        'a host name, host:port or *.domain',
      );
    }
  });

  it('reads workspace.setup as argv arrays and refuses a shell string', () => {
    const setup = [
      ['npm', 'ci'],
      ['npm', 'run', 'build'],
    ];
    expect(configSchema.parse({ workspace: { setup } }).workspace.setup).toEqual(setup);
    const refused = configSchema.safeParse({ workspace: { setup: ['npm ci'] } });
    expect(refused.success).toBe(false);
    expect(z.prettifyError(refused.error ?? new z.ZodError([]))).toContain('must be an argv array');
  });

  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['6h', 21_600_000],
  ])('reads the duration %s', (text, ms) => {
    expect(durationSchema.parse(text)).toBe(ms);
  });

  it.each(['', '10', '5 m', '0s', '7h', '10ms', '1d'])('refuses the duration %j', (text) => {
    expect(durationSchema.safeParse(text).success).toBe(false);
  });

  it('refuses a gate listed twice', () => {
    const result = configSchema.safeParse({ gates: { list: [{ name: 'test' }, { name: 'test' }] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain("'test' is listed twice");
  });

  // Regenerate with: OMK_UPDATE_SCHEMA=1 npx vitest run src/runtime/config/schema.test.ts
  it('matches the committed JSON Schema (schema/omk-config.schema.json)', async () => {
    await expectCommittedSchema(
      'omk-config.schema.json',
      configJsonSchema(),
      'src/runtime/config/schema.test.ts',
    );
  });

  it('describes the file as written: strings for durations, arrays for commands, no extra keys', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('"additionalProperties":false');
    const gates = configJsonSchema().properties as Record<string, { properties?: Record<string, unknown> }>;
    expect(gates.gates?.properties?.timeout).toMatchObject({ type: 'string', default: '10m' });
  });
});
