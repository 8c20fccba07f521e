import type { GateDetector } from './detector.js';

/** A `[workspace]` table, or one under it (`[workspace.dependencies]`): the manifest is a workspace's root. */
const WORKSPACE_TABLE = /^[ \t]*\[[ \t]*workspace[ \t]*[\].]/m;

export const rustDetector: GateDetector = {
  name: 'rust',
  reads: ['Cargo.toml'],
  detect(context) {
    if (!context.has('Cargo.toml')) return [];
    const source = 'Cargo.toml';
    // At a workspace's root package, bare cargo check, clippy and test cover that package alone
    // (and a virtual manifest's `default-members` only): the other members' tests never ran.
    // cargo fmt formats every member already.
    const workspace = WORKSPACE_TABLE.test(context.read('Cargo.toml') ?? '') ? ['--workspace'] : [];
    return [
      { name: 'format', kind: 'format', argv: ['cargo', 'fmt', '--check'], source },
      { name: 'typecheck', kind: 'typecheck', argv: ['cargo', 'check', ...workspace], source },
      {
        name: 'lint',
        kind: 'lint',
        argv: ['cargo', 'clippy', ...workspace, '--', '-D', 'warnings'],
        source,
      },
      // Without --no-fail-fast cargo stops at the first failing test target: on a fix's base the
      // failing unit test hides the integration and doc tests, and their old failures would read
      // as new on the head.
      { name: 'test', kind: 'test', argv: ['cargo', 'test', ...workspace, '--no-fail-fast'], source },
    ];
  },
};
