import type { GateDetector } from './detector.js';

export const rustDetector: GateDetector = {
  name: 'rust',
  reads: [],
  detect(context) {
    if (!context.has('Cargo.toml')) return [];
    const source = 'Cargo.toml';
    return [
      { name: 'format', kind: 'format', argv: ['cargo', 'fmt', '--check'], source },
      { name: 'typecheck', kind: 'typecheck', argv: ['cargo', 'check'], source },
      { name: 'lint', kind: 'lint', argv: ['cargo', 'clippy', '--', '-D', 'warnings'], source },
      // Without --no-fail-fast cargo stops at the first failing test target: on a fix's base the
      // failing unit test hides the integration and doc tests, and their old failures would read
      // as new on the head.
      { name: 'test', kind: 'test', argv: ['cargo', 'test', '--no-fail-fast'], source },
    ];
  },
};
