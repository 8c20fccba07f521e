// The runner's entry (dist/index.cjs, action.yml `main:`). It is CommonJS on purpose: node starts
// its ES module loader only for an ES module, and that alone costs ~30% of `node -e 0`, which is
// the Action's start-up target (issue 14: first line within 1.3x). So this file masks the token
// inputs first, with nothing but the masking, and only then imports the Action (dist/action/main.js,
// ESM: zod, Octokit, the runtime), whose `run()` it calls (main.ts, the typescript-action layout).
import { maskedTokenInputs, maskLine } from './mask.js';

/** dist/action/main.js, next to this bundle (scripts/build.mjs): not bundled into it. */
const ACTION_MAIN = './action/main.js';

const masked = maskedTokenInputs(process.env);
for (const value of masked) process.stdout.write(maskLine(value));
(import(ACTION_MAIN) as Promise<typeof import('./main.js')>)
  .then(({ run }) => run(masked))
  .catch((error: unknown) => {
    process.stdout.write(`::error::the Action could not start: ${String(error).replace(/\r?\n/g, ' ')}\n`);
    process.exitCode = 1;
  });
