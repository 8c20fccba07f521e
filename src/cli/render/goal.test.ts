import { describe, expect, it } from 'vitest';
import { goalRecord } from '../../runtime/delivery/test-delivery.js';
import { buildProof } from '../../runtime/proof/build.js';
import { evidence, gate } from '../../runtime/proof/test-evidence.js';
import { renderExecuted } from './goal.js';

describe('renderExecuted', () => {
  it('words each gate as the proof does, never the raw outcome: judged by exit code, could not start', () => {
    const proof = buildProof(
      evidence({
        gates: [
          gate(),
          gate({ kind: 'lint', outcome: 'pre_existing', exitCode: 1, required: true }),
          gate({ kind: 'format', outcome: 'unavailable', exitCode: 127, required: false }),
        ],
      }),
    );
    const text = renderExecuted({ goal: goalRecord(), proof, stoppedBy: null }, '/tmp/goal');
    expect(text).toMatch(/ {2}passed {7}test /);
    expect(text).toContain('failing on base too, judged by exit code lint');
    expect(text).toContain('could not start format (optional)');
    expect(text).not.toMatch(/^ {2}(pre_existing|unavailable) /m);
  });
});
