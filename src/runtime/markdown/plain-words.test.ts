import { describe, expect, it } from 'vitest';
import { plainMessage } from './plain-words.js';

describe('plainMessage', () => {
  it('keeps the first line, with paths and git command lines in words', () => {
    const message =
      'git push --force-with-lease origin omk/g-1/integration failed in /tmp/omk-bot-work-x1/repo: rejected\n' +
      '    at runGit (/work/src/adapters/git/run.ts:10:5)\n' +
      'fatal: could not read Username';
    const plain = plainMessage(message);
    expect(plain).toBe('a git command failed in a path on the machine that ran it: rejected');
    expect(plain).not.toMatch(/\/tmp|\bat \S+ \(|\bgit (?:-c|push|fetch|clone|merge|worktree)\b/);
  });

  it('drops a stack frame on the first line and Windows paths, and clips long text', () => {
    expect(plainMessage('boom at run (file.js:1:2)')).toBe('boom');
    expect(plainMessage('cannot write C:\\Users\\me\\omk\\goal.json')).toBe(
      'cannot write a path on the machine that ran it',
    );
    expect(plainMessage('x'.repeat(400), 50)).toHaveLength(50);
  });

  it('leaves words, URLs and bot commands alone', () => {
    const text = "Goal g-1 is paused: resume it with '/omk goal resume g-1' (https://github.com/o/r/pull/1).";
    expect(plainMessage(text)).toBe(text);
  });
});
