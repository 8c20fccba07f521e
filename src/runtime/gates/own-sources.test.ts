import { describe, expect, it } from 'vitest';
import { ownSourcesVerify } from './own-sources.js';
import type { GateRunContext, GateSpec, VerifyFn } from './port.js';

// The decision alone: which gate runs get their worktree's files dated first, and that cargo runs
// on one target directory do not overlap. The same with real worktrees and cargo:
// src/adapters/git/date-tracked.test.ts.

const CONTEXT: GateRunContext = {
  cwd: '/wt/slice-a',
  sha: 'a'.repeat(40),
  baseCwd: null,
  baseSha: null,
  artifactsDir: '/tmp/none',
  env: { PATH: '/bin', CARGO_TARGET_DIR: '/state/cache/g1/cargo-target' },
};

/** A verifier that runs each gate's argv through the context's `aroundRun` and records the order. */
function recording(events: string[]): VerifyFn {
  return async (gates, context) => {
    for (const gate of gates) {
      const start = async () => {
        events.push(`run ${gate.argv.join(' ')} in ${context.cwd}`);
        await new Promise((done) => setTimeout(done, 20));
        events.push(`end ${gate.argv.join(' ')} in ${context.cwd}`);
      };
      const run = { argv: gate.argv, cwd: context.cwd, env: context.env };
      await (context.aroundRun?.(run, start) ?? start());
    }
    return [];
  };
}

const gate = (...argv: string[]): GateSpec => ({
  name: argv.join(' '),
  kind: 'test',
  argv,
  required: true,
  timeoutMs: 1000,
  source: 'test',
});

describe('ownSourcesVerify', () => {
  it("dates the worktree's files before each cargo run with a CARGO_TARGET_DIR, and only then", async () => {
    const events: string[] = [];
    const verify = ownSourcesVerify(recording(events), async (worktree) => {
      events.push(`date ${worktree}`);
    });
    await verify([gate('cargo', 'test'), gate('npm', 'test'), gate('/usr/bin/cargo', 'clippy')], CONTEXT);
    const { CARGO_TARGET_DIR: _, ...noTarget } = CONTEXT.env;
    await verify([gate('cargo', 'fmt', '--check')], { ...CONTEXT, env: noTarget });
    expect(events).toEqual([
      'date /wt/slice-a',
      'run cargo test in /wt/slice-a',
      'end cargo test in /wt/slice-a',
      'run npm test in /wt/slice-a',
      'end npm test in /wt/slice-a',
      'date /wt/slice-a',
      'run /usr/bin/cargo clippy in /wt/slice-a',
      'end /usr/bin/cargo clippy in /wt/slice-a',
      'run cargo fmt --check in /wt/slice-a',
      'end cargo fmt --check in /wt/slice-a',
    ]);
  });

  it('runs cargo gates on one target directory one at a time, each dating its own worktree first', async () => {
    const events: string[] = [];
    const verify = ownSourcesVerify(recording(events), async (worktree) => {
      events.push(`date ${worktree}`);
    });
    await Promise.all([
      verify([gate('cargo', 'test')], CONTEXT),
      verify([gate('cargo', 'test')], { ...CONTEXT, cwd: '/wt/slice-b' }),
    ]);
    expect(events).toEqual([
      'date /wt/slice-a',
      'run cargo test in /wt/slice-a',
      'end cargo test in /wt/slice-a',
      'date /wt/slice-b',
      'run cargo test in /wt/slice-b',
      'end cargo test in /wt/slice-b',
    ]);
  });

  it('a failed run does not hold the next back', async () => {
    const verify = ownSourcesVerify(recording([]), async (worktree) => {
      if (worktree === '/wt/slice-a') throw new Error('git ls-files failed');
    });
    const [a, b] = await Promise.allSettled([
      verify([gate('cargo', 'test')], CONTEXT),
      verify([gate('cargo', 'test')], { ...CONTEXT, cwd: '/wt/slice-b' }),
    ]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('fulfilled');
  });
});
