import { describe, expect, it } from 'vitest';
import { buildProof } from '../proof/build.js';
import { renderProofMarkdown } from '../proof/render-markdown.js';
import type { Proof } from '../proof/schema.js';
import { evidence, gate, HEAD_SHA, oracle } from '../proof/test-evidence.js';
import { checkRunFor, MAX_SUMMARY_CHARS, renderCheckSummary } from './check-run.js';

const ready = buildProof(evidence());
const opts = { goalId: 'g1', sliceId: 'integration', headSha: HEAD_SHA, gates: [] };
const failingLint = gate({
  kind: 'lint',
  required: true,
  outcome: 'failed',
  exitCode: 1,
  tail: 'src/a.ts:3:1: Missing semicolon. [Error/semi]\nsrc/b.ts:9:2: no-console [Warning/no-console]',
});

describe('checkRunFor', () => {
  it.each([
    ['ready', ready, 'success', 'omk proof: ready — 0 gaps'],
    [
      'failed',
      buildProof(evidence({ gates: [failingLint] })),
      'failure',
      'omk proof: failed — 1 gap, 1 failure',
    ],
    [
      'not_ready',
      buildProof(evidence({ execution: 'in_progress' })),
      'neutral',
      'omk proof: not_ready — 1 gap',
    ],
    [
      'blocked_on_human',
      buildProof(
        evidence({ oracle: oracle({ testable: false, humanDecisions: ['which API?', 'which DB?'] }) }),
      ),
      'neutral',
      'omk proof: blocked_on_human — 2 gaps',
    ],
  ] as const)('maps a %s proof to %s', (status, proof, conclusion, title) => {
    expect(proof.status).toBe(status);
    const run = checkRunFor(proof, opts);
    expect(run).toMatchObject({ name: 'omk/proof', headSha: HEAD_SHA, conclusion, title });
    expect(run.summary).toBe(renderProofMarkdown(proof));
    expect(run.externalId).toBe(`g1:integration:${HEAD_SHA}`);
  });

  it('never concludes success for an edited proof or, on the integration head, a stale one', () => {
    const edited: Proof = { ...buildProof(evidence({ execution: 'in_progress' })), status: 'ready' };
    expect(checkRunFor(edited, opts)).toMatchObject({
      conclusion: 'neutral',
      title: expect.stringMatching(/not_ready/),
    });
    expect(checkRunFor(edited, opts).summary).toContain('digest_mismatch');
    const moved = checkRunFor(ready, { ...opts, headSha: 'e'.repeat(40) });
    expect(moved.conclusion).toBe('neutral');
    expect(moved.summary).toContain('stale_proof');
    // A slice check mirrors the goal's proof, which names the integrated head, not the slice's.
    expect(checkRunFor(ready, { ...opts, sliceId: 's1', headSha: 'e'.repeat(40) }).conclusion).toBe(
      'success',
    );
  });

  it('annotates from failing gates on this head only, with the level each one deserves', () => {
    const run = checkRunFor(buildProof(evidence({ gates: [failingLint] })), {
      ...opts,
      sliceId: 's1',
      gates: [
        failingLint,
        gate({ name: 'old', outcome: 'failed', sha: 'a'.repeat(40), tail: 'src/old.ts:1: x' }),
        gate({ name: 'types', outcome: 'pre_existing', tail: 'src/c.ts(4,2): error TS2322: bad' }),
        gate({ name: 'flaky', outcome: 'flaky', tail: 'src/d.ts:1: x' }),
        gate({ name: 'slow', outcome: 'timeout', tail: 'src/e.ts:7: hung here' }),
      ],
    });
    expect(
      run.annotations.map(({ path, startLine, level, title }) => ({ path, startLine, level, title })),
    ).toEqual([
      { path: 'src/a.ts', startLine: 3, level: 'failure', title: 'lint' },
      { path: 'src/b.ts', startLine: 9, level: 'warning', title: 'lint' },
      { path: 'src/c.ts', startLine: 4, level: 'warning', title: 'types' },
      { path: 'src/e.ts', startLine: 7, level: 'failure', title: 'slow' },
    ]);
  });

  it('caps annotations at 50 across gates and makes absolute paths relative to repoRoot', () => {
    const tail = Array.from({ length: 40 }, (_, index) => `/repo/src/f${index}.ts:1: boom`).join('\n');
    const gates = [
      gate({ name: 'a', outcome: 'failed', tail }),
      gate({ name: 'b', outcome: 'failed', tail }),
    ];
    const run = checkRunFor(ready, { ...opts, gates, repoRoot: '/repo' });
    expect(run.annotations).toHaveLength(50);
    expect(run.annotations[0]?.path).toBe('src/f0.ts');
    expect(run.annotations.filter((a) => a.title === 'b')).toHaveLength(10);
  });
});

describe('renderCheckSummary', () => {
  it('folds a huge proof under 65,535 characters, keeping every gap code and the digest', () => {
    const tail = Array.from({ length: 30_000 }, (_, index) => `line ${index} ${'x'.repeat(60)}`).join('\n');
    const proof: Proof = {
      ...buildProof(evidence({ gates: [gate({ outcome: 'failed', required: true, tail })] })),
      changedFiles: Array.from({ length: 10_000 }, (_, index) => ({
        path: `src/${index}.ts`,
        additions: 1,
        deletions: 1,
      })),
      knownGaps: Array.from({ length: 5000 }, (_, index) => ({
        code: `gap_${index % 200}`,
        message: 'm'.repeat(500),
      })),
    };
    const summary = checkRunFor(proof, opts).summary;
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(summary).toMatch(/^> \*\*Folded to fit GitHub's limit:\*\*/);
    for (let code = 0; code < 200; code += 1) expect(summary).toContain(`\`gap_${code}\``);
    expect(summary).toContain(proof.digest);
    expect(renderCheckSummary(proof)).toBe(summary);
  });

  it('cuts at the limit as a last resort, saying so', () => {
    const summary = renderCheckSummary(ready, 300);
    expect(summary.length).toBeLessThanOrEqual(300);
    expect(summary).toContain('characters folded to fit the size limit');
  });
});
