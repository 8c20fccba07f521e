import { describe, expect, it } from 'vitest';
import { squashMessage } from './squash-message.js';

describe("a squash merge's message", () => {
  it("is the pull request's title and omk's line, never the branch's commit messages", () => {
    expect(squashMessage({ number: 4, title: 'omk: tidy the parser [abc123]' }, 'tidy-abc123')).toEqual({
      title: 'omk: tidy the parser [abc123] (#4)',
      body: "Squashed by omk from goal tidy-abc123; the pull request keeps the branch's commits.",
    });
  });

  it('leaves out a title that would close an issue (a planner may have written it)', () => {
    expect(squashMessage({ number: 5, title: 'omk: fixes #1 [abc123/s1]' }, 'g-abc123').title).toBe(
      'omk: goal g-abc123 (#5)',
    );
  });
});
