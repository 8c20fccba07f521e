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
      { name: 'test', kind: 'test', argv: ['cargo', 'test'], source },
    ];
  },
};
