import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';

/**
 * The demo's repository with its test as its only gate: no lint script, no scripts/lint.mjs. For
 * tests whose assertions never involve the lint gate: each goal then runs one npm script fewer on
 * the base, on every slice, on the integrated tree and after every fix (half a second of CPU each).
 */
export const DEMO_FILES_TEST_GATE_ONLY: Readonly<Record<string, string>> = (() => {
  const { 'scripts/lint.mjs': _lint, ...files } = DEMO_FILES;
  const manifest = JSON.parse(files['package.json'] ?? '{}') as { scripts: Record<string, string> };
  const { lint: _script, ...scripts } = manifest.scripts;
  return { ...files, 'package.json': `${JSON.stringify({ ...manifest, scripts }, null, 2)}\n` };
})();
