import { describe, expect, it } from 'vitest';
import { accessOf, accessVerdict, allows, obeysSender, requiredAccess } from './access.js';

describe('access', () => {
  it('reads GitHub permission and role_name, custom roles included', () => {
    expect(accessOf({ permission: 'admin', roleName: 'admin' })).toBe('write');
    expect(accessOf({ permission: 'write', roleName: 'maintain' })).toBe('write');
    expect(accessOf({ permission: 'write', roleName: 'release-manager' })).toBe('write');
    expect(accessOf({ permission: 'read', roleName: 'maintain' })).toBe('write');
    expect(accessOf({ permission: 'read', roleName: 'triage' })).toBe('read');
    expect(accessOf({ permission: 'none', roleName: null })).toBe('none');
  });

  it('needs write to start or change a goal, read to look at one, nothing for help', () => {
    expect(requiredAccess({ kind: 'help' })).toBe('none');
    expect(requiredAccess({ kind: 'status' })).toBe('read');
    expect(requiredAccess({ kind: 'proof' })).toBe('read');
    expect(requiredAccess({ kind: 'budget', add: null })).toBe('read');
    expect(requiredAccess({ kind: 'budget', add: { usd: 5 } })).toBe('write');
    for (const kind of ['run', 'merge', 'pause', 'resume', 'cancel', 'open-pr', 'accept', 'reject', 'fix']) {
      expect(requiredAccess({ kind }), kind).toBe('write');
    }
    expect(allows('read', 'write')).toBe(false);
    expect(allows('write', 'read')).toBe(true);
    expect(allows('none', 'none')).toBe(true);
  });

  it('refuses with the access needed, or lets the request go ahead', () => {
    const reader = { permission: 'read', roleName: 'read' };
    expect(accessVerdict({ kind: 'pause' }, reader)).toEqual({ allowed: false, need: 'write' });
    expect(accessVerdict({ kind: 'status' }, reader)).toEqual({ allowed: true });
    expect(accessVerdict({ kind: 'status' }, { permission: 'none', roleName: null })).toEqual({
      allowed: false,
      need: 'read',
    });
  });

  it('ignores bots unless allowlisted', () => {
    expect(obeysSender({ login: 'octocat', type: 'User' }, [])).toBe(true);
    expect(obeysSender({ login: 'omk[bot]', type: 'Bot' }, [])).toBe(false);
    expect(obeysSender({ login: 'helper[bot]', type: 'Bot' }, ['helper[bot]'])).toBe(true);
  });
});
