import { describe, expect, it } from 'vitest';
import { emptyExecution, sliceRecord } from '../controller/execution-state.js';
import { renderCheckSummary } from '../delivery/check-run.js';
import { task } from '../delivery/test-delivery.js';
import { evidenceFromExecution } from './assemble.js';
import { buildProof } from './build.js';
import { renderProofMarkdown } from './render-markdown.js';
import { renderProofText } from './render-text.js';
import { evidence, finding, slice } from './test-evidence.js';

// With several slices, each finding in the proof's Markdown sits under the slice whose review
// found it (or the integrated tree), so a reader of a PR body or `omk goal proof --format md`
// knows which slice to look at.

const SLICES = [
  slice({ id: 's1-parser', title: 'Parse the config' }),
  slice({ id: 's2-docs', title: 'Document the config' }),
];
const SECRET = finding({ message: 'A secret in the diff', paths: ['.env'] });
const TODO = finding({
  review: 'controller',
  severity: 'warning',
  message: 'A TODO left',
  paths: ['README.md'],
});
const WEAKENED = finding({
  review: 'controller',
  severity: 'warning',
  message: 'A test weakened',
  paths: [],
});

/** The lines from the Findings heading to the next h3. */
function findingsSection(markdown: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('### Findings'));
  const end = lines.findIndex((line, index) => index > start && line.startsWith('### '));
  return lines.slice(start, end).filter((line) => line !== '');
}

describe('the proof assembles each finding with its slice', () => {
  it("a slice's finding names the slice; the integrated tree's, null; a repeat stays under the first", () => {
    const base = emptyExecution();
    const record = {
      ...base,
      slices: [
        { ...sliceRecord(base, 's1-parser'), findings: [SECRET] },
        { ...sliceRecord(base, 's2-docs'), findings: [TODO] },
      ],
      // The integrated tree's review says the parser's finding again, and one of its own.
      finalFindings: [SECRET, WEAKENED],
    };
    const graph = {
      version: 1 as const,
      goalId: 'g1',
      planner: { name: 'test', version: '1' },
      tasks: [task({ id: 's1-parser', title: 'Parse the config' }), task({ id: 's2-docs', title: 'Docs' })],
      rejected: [],
    };
    expect(evidenceFromExecution(record, graph).findings).toEqual([
      { ...SECRET, slice: 's1-parser' },
      { ...TODO, slice: 's2-docs' },
      { ...WEAKENED, slice: null },
    ]);
  });
});

describe("the proof's Markdown groups findings by slice", () => {
  it('in the order of the plan, then the integrated tree, each finding under its own', () => {
    const proof = buildProof(
      evidence({
        slices: SLICES,
        findings: [
          { ...WEAKENED, slice: null },
          { ...TODO, slice: 's2-docs' },
          { ...SECRET, slice: 's1-parser' },
        ],
      }),
    );
    expect(findingsSection(renderProofMarkdown(proof))).toEqual([
      '### Findings (3)',
      '#### Slice `s1-parser`: Parse the config (1)',
      '- **blocking** (security review): A secret in the diff — `.env`',
      '#### Slice `s2-docs`: Document the config (1)',
      '- **warning** (controller review): A TODO left — `README.md`',
      '#### Integrated tree (1)',
      '- **warning** (controller review): A test weakened',
    ]);
  });

  it("names the slice in a blocking finding's gap, which PR bodies show whole", () => {
    const proof = buildProof(
      evidence({
        slices: SLICES,
        findings: [
          { ...SECRET, slice: 's2-docs' },
          { ...SECRET, paths: ['b.env'], slice: null },
        ],
      }),
    );
    expect(proof.knownGaps.filter((gap) => gap.code === 'blocking_finding')).toEqual([
      {
        code: 'blocking_finding',
        message: 'Blocking security review finding in slice s2-docs: A secret in the diff (.env)',
      },
      {
        code: 'blocking_finding',
        message: 'Blocking security review finding on the integrated tree: A secret in the diff (b.env)',
      },
    ]);
    const old = buildProof(evidence({ slices: SLICES, findings: [SECRET] }));
    expect(old.knownGaps.find((gap) => gap.code === 'blocking_finding')?.message).toBe(
      'Blocking security review finding: A secret in the diff (.env)',
    );
  });

  it('labels each finding with its slice in the terminal proof', () => {
    const proof = buildProof(
      evidence({
        slices: SLICES,
        findings: [
          { ...TODO, slice: 's2-docs' },
          { ...WEAKENED, slice: null },
        ],
      }),
    );
    const text = renderProofText(proof);
    expect(text).toContain('warning (controller, slice s2-docs): A TODO left [README.md]');
    expect(text).toContain('warning (controller, integrated tree): A test weakened');
  });

  it('lists the findings of a proof written before they named their slice as they are', () => {
    const proof = buildProof(evidence({ slices: SLICES, findings: [SECRET, TODO] }));
    expect(findingsSection(renderProofMarkdown(proof))).toEqual([
      '### Findings (2)',
      '- **blocking** (security review): A secret in the diff — `.env`',
      '- **warning** (controller review): A TODO left — `README.md`',
    ]);
  });

  it('keeps slice ids and titles from a hostile plan out of the layout', () => {
    const proof = buildProof(
      evidence({
        slices: [slice({ id: 's1`x', title: '# <img src=x> @team\n- item' })],
        findings: [{ ...SECRET, slice: 's1`x' }],
      }),
    );
    const [, heading] = findingsSection(renderProofMarkdown(proof));
    expect(heading?.startsWith('#### Slice ')).toBe(true);
    expect(heading).not.toContain('<img');
    expect(heading).not.toContain('@team');
    expect(heading).not.toContain('\n');
  });

  it('still groups them in a check-run summary folded to fit', () => {
    const findings = Array.from({ length: 400 }, (_, index) => ({
      ...finding({ message: `Finding ${index} ${'x'.repeat(200)}` }),
      slice: index % 2 === 0 ? 's1-parser' : 's2-docs',
    }));
    const proof = buildProof(evidence({ slices: SLICES, findings }));
    expect(renderProofMarkdown(proof).length).toBeGreaterThan(65_535);
    const summary = renderCheckSummary(proof);
    expect(summary.length).toBeLessThanOrEqual(65_535);
    expect(summary).toContain('#### Slice `s1-parser`: Parse the config (200)');
    expect(summary).toContain('#### Slice `s2-docs`: Document the config (200)');
  });
});
