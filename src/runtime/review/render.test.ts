import { describe, expect, it } from 'vitest';
import type { Finding } from '../proof/schema.js';
import { hasBlocking } from './input.js';
import { renderReviewMarkdown } from './render.js';

const blocking: Finding = {
  review: 'security',
  severity: 'blocking',
  message: 'Workflow change in "ci.yml": <script>@octocat',
  paths: ['.github/workflows/ci.yml'],
};
const info: Finding = { review: 'controller', severity: 'info', message: 'Change size: 1 file.', paths: [] };

describe('renderReviewMarkdown', () => {
  it('groups by severity, blocking first, and escapes untrusted text', () => {
    expect(renderReviewMarkdown([info, blocking], 'api')).toBe(
      [
        '# Review: `api`',
        '',
        '**Blocked**: 1 blocking finding must be resolved before the proof can be ready.',
        '',
        '## Blocking (1)',
        '',
        '- **security**: Workflow change in "ci.yml": &lt;script&gt;@&#8203;octocat',
        '  - `.github/workflows/ci.yml`',
        '',
        '## Info (1)',
        '',
        '- **controller**: Change size: 1 file.',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing blocks, and renders equal input identically', () => {
    expect(renderReviewMarkdown([])).toBe('# Review\n\nNo blocking finding.\n');
    expect(renderReviewMarkdown([info, blocking])).toBe(renderReviewMarkdown([blocking, info]));
  });
});

describe('hasBlocking', () => {
  it('is true only with a blocking finding', () => {
    expect(hasBlocking([info])).toBe(false);
    expect(hasBlocking([info, blocking])).toBe(true);
    expect(hasBlocking([])).toBe(false);
  });
});
