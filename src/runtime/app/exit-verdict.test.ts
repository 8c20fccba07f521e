import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors.js';
import { demoVerdict, doctorVerdict, errorVerdict, proofReadVerdict } from './exit-verdict.js';

describe('exit verdicts', () => {
  it('maps every error code to the verdict a caller tells apart', () => {
    const table: Record<ErrorCode, string> = {
      usage: 'usage',
      config: 'usage',
      not_found: 'not_found',
      illegal_transition: 'refused',
      policy_violation: 'refused',
      busy: 'busy',
      state: 'state',
      workspace: 'state',
      agent_unavailable: 'state',
      unsupported_version: 'state',
      git: 'git',
      forge: 'forge',
      budget: 'budget',
      internal: 'internal',
    };
    for (const [code, verdict] of Object.entries(table)) {
      expect([code, errorVerdict(code as ErrorCode)]).toEqual([code, verdict]);
    }
  });

  it('an edited proof is damaged state; a failed doctor check is usage; a demo short of a merge is not ready', () => {
    expect([proofReadVerdict(true), proofReadVerdict(false)]).toEqual(['ok', 'state']);
    expect([doctorVerdict({ ok: true }), doctorVerdict({ ok: false })]).toEqual(['ok', 'usage']);
    expect([demoVerdict(true, null), demoVerdict(true, 'interrupted'), demoVerdict(false, null)]).toEqual([
      'ok',
      'interrupted',
      'not_ready',
    ]);
  });
});
