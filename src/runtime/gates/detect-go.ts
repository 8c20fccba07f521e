import type { GateDetector } from './detector.js';

export const goDetector: GateDetector = {
  name: 'go',
  reads: [],
  detect(context) {
    if (!context.has('go.mod')) return [];
    const source = 'go.mod';
    return [
      // gofmt -l lists unformatted files and exits 0 either way: any output is the failure.
      { name: 'format', kind: 'format', argv: ['gofmt', '-l', '.'], source, failOnOutput: true },
      { name: 'lint', kind: 'lint', argv: ['go', 'vet', './...'], source },
      // -json names every test and subtest with its outcome; flags may follow the packages.
      {
        name: 'test',
        kind: 'test',
        argv: ['go', 'test', './...'],
        source,
        report: { format: 'go-test-json', args: ['-json'] },
      },
    ];
  },
};
