import { describe, expect, it } from 'vitest';
import { gateStateFindings } from './findings.js';

const HEAD = 'c'.repeat(40);

describe('gateStateFindings', () => {
  it("does not count the files omk's preparation left, as it left them, as changes since the commit", () => {
    const before = {
      head: HEAD,
      changes: ['?? .pnp.cjs', '?? .pnp.loader.mjs', '?? .yarn/install-state.gz'],
    };
    const prepared = ['.pnp.cjs', '.pnp.loader.mjs', '.yarn/install-state.gz'];
    expect(gateStateFindings(HEAD, before, before, true, prepared)).toEqual([]);
    // Without the record, each is an uncommitted change, and the gates describe no commit.
    expect(gateStateFindings(HEAD, before, before).map((f) => [f.message, f.paths])).toEqual([
      [
        "The worktree changed between omk's commit and its gates (3 uncommitted changes); the gate results do not describe the commit.",
        prepared,
      ],
    ]);
  });

  it('still blocks on any other file, and on a committed one the preparation did not leave', () => {
    const before = { head: HEAD, changes: [' M .pnp.cjs', '?? .yarn/install-state.gz', '?? src/hack.js'] };
    const found = gateStateFindings(HEAD, before, before, true, ['.yarn/install-state.gz']);
    expect(found.map((f) => f.paths)).toEqual([['.pnp.cjs', 'src/hack.js']]);
  });
});
