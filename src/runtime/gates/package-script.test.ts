import { describe, expect, it } from 'vitest';
import { scriptOf, scriptTool } from './package-script.js';

describe('scriptOf', () => {
  it('names the script a package manager runs, and nothing for any other argv', () => {
    expect(scriptOf(['npm', 'run', 'format'])).toBe('format');
    expect(scriptOf(['/usr/bin/npm', 'run-script', 'lint'])).toBe('lint');
    expect(scriptOf(['pnpm', 'test'])).toBe('test');
    expect(scriptOf(['yarn', 'run', 'typecheck'])).toBe('typecheck');
    expect(scriptOf(['npm', 'run', '--silent'])).toBeNull();
    expect(scriptOf(['npx', 'prettier', '--check', '.'])).toBeNull();
    expect(scriptOf(['make', 'test'])).toBeNull();
  });
});

describe('scriptTool', () => {
  const scripts = {
    format: 'prettier --check .',
    test: 'CI=1 NODE_ENV=test mocha && echo done',
    lint: 'npm run lint:js',
    'lint:js': 'eslint .',
    loop: 'npm run loop',
    dynamic: '$RUNNER --check',
    quoted: '"my tool" run',
    empty: 'FOO=1',
  };

  it("is the script's first command, past assignments and through the scripts it runs", () => {
    expect(scriptTool(['npm', 'run', 'format'], scripts)).toEqual({
      script: 'format',
      tool: 'prettier',
      chain: [],
    });
    expect(scriptTool(['npm', 'test'], scripts)).toEqual({
      script: 'test',
      tool: 'mocha',
      chain: ['mocha', 'echo'],
    });
    expect(scriptTool(['npm', 'run', 'lint'], scripts)).toEqual({
      script: 'lint:js',
      tool: 'eslint',
      chain: [],
    });
    // A chain is `&&` alone: with `||`, `;` or a pipe the shell's order is not a list of gates.
    expect(scriptTool(['npm', 'run', 'x'], { x: 'xo && ava || tsd' })?.chain).toEqual([]);
    expect(scriptTool(['npm', 'run', 'x'], { x: 'xo && ava && tsd' })?.chain).toEqual(['xo', 'ava', 'tsd']);
  });

  it('puts the pre script npm runs first at the head of the chain (ts-dedent: pretest runs npm run lint)', () => {
    const dedent = { pretest: 'npm run lint', test: 'jest', lint: 'eslint .' };
    expect(scriptTool(['npm', 'run', 'test'], dedent)).toEqual({
      script: 'test',
      tool: 'jest',
      chain: ['eslint', 'jest'],
      pre: 'pretest',
    });
    expect(scriptTool(['npm', 'test'], { ...dedent, pretest: 'tsc && eslint .' })?.chain).toEqual([
      'tsc',
      'eslint',
      'jest',
    ]);
    // pnpm runs no pre scripts (unless enable-pre-post-scripts), nor does a pre script that is empty.
    expect(scriptTool(['pnpm', 'run', 'test'], dedent)?.chain).toEqual([]);
    expect(scriptTool(['npm', 'run', 'test'], { ...dedent, pretest: '' })?.chain).toEqual([]);
  });

  it('is null when the shell decides what runs, the script is missing, or scripts call themselves', () => {
    for (const script of ['dynamic', 'quoted', 'empty', 'missing', 'loop']) {
      expect(scriptTool(['npm', 'run', script], scripts)).toBeNull();
    }
    expect(scriptTool(['cargo', 'test'], scripts)).toBeNull();
  });
});
