import { describe, expect, it } from 'vitest';
import { commandSettings } from './thread-settings.js';

describe('commandSettings', () => {
  const writer = { permission: 'write', roleName: 'write' };
  const maintainers = { access: { permission: 'maintain' as const } };
  const loaded = { ok: true as const, settings: maintainers, sources: ['.github/omk.yml'] };

  it('answers a file that cannot be used with its own lines', () => {
    const broken = { ok: false as const, lines: ['.github/omk.yml is invalid.'] };
    expect(commandSettings(broken, 'ana', writer)).toEqual(broken);
  });

  it("refuses a writer the file's access rule leaves out, with the rule's line", () => {
    const refused = commandSettings(loaded, 'ana', writer);
    expect(refused).toMatchObject({ ok: false, lines: [expect.stringContaining('lets only people with')] });
  });

  it('gives the settings to a read (no permission asked) and to a person the rule lets', () => {
    expect(commandSettings(loaded, 'ana', null)).toEqual({ ok: true, settings: maintainers });
    const admin = { permission: 'admin', roleName: 'admin' };
    expect(commandSettings(loaded, 'ana', admin)).toEqual({ ok: true, settings: maintainers });
  });
});
