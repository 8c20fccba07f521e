import { describe, expect, it } from 'vitest';
import { argvOfLine } from './argv.js';

describe('argvOfLine', () => {
  it('splits plain words on whitespace', () => {
    expect(argvOfLine('npm  run\tbuild')).toEqual(['npm', 'run', 'build']);
  });

  it('takes a JSON array of strings as it is, spaces and quotes included', () => {
    expect(argvOfLine('["node", "scripts/make fixtures.js", "it\'s"]')).toEqual([
      'node',
      'scripts/make fixtures.js',
      "it's",
    ]);
  });

  it('refuses quotes and backslashes outside JSON, and JSON that is not an array of strings', () => {
    expect(argvOfLine('echo "a b"')).toEqual({ problem: 'quotes' });
    expect(argvOfLine('echo a\\ b')).toEqual({ problem: 'quotes' });
    expect(argvOfLine('["npm", ')).toEqual({ problem: 'not_json' });
    expect(argvOfLine('["npm", 1]')).toEqual({ problem: 'not_strings' });
    expect(argvOfLine('[{"a": 1}]')).toEqual({ problem: 'not_strings' });
  });
});
