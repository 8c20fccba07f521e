import { describe, expect, it } from 'vitest';
import { stripDetails, stripHtmlComments, visibleMarkdown } from './visible.js';

describe('visible markdown', () => {
  it('strips comments and details but keeps the rest', () => {
    expect(stripHtmlComments('a<!-- b -->c<!--d-->e')).toBe('ace');
    expect(stripDetails('a<details>b</details>c</details>d')).toBe('ac</details>d');
  });

  it('hides the rest of the body after an unclosed comment or details, as GitHub does', () => {
    expect(visibleMarkdown('seen<!-- hidden\n/omk goal run "x"')).toBe('seen');
    expect(visibleMarkdown('a<details><summary>s</summary><details>b</details>c')).toBe('a');
    expect(visibleMarkdown('x<!-- <details> -->y<details open>z</details>w')).toBe('xyw');
  });
});
