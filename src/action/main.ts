// The Action's logic entry, as actions/typescript-action lays it out: `run()` wires the process
// into the runner and nothing runs at import, so `@github/local-action` (and tests) can call it.
import { actionsCore } from '../adapters/actions-runner/core.js';
import { processSignals } from '../adapters/process/signals.js';
import { runAction } from './runner.js';

/** `masked`: the values the runner's entry (index.ts) has masked already. */
export async function run(masked: readonly string[] = []): Promise<void> {
  await runAction({
    core: actionsCore(),
    env: process.env,
    cwd: process.cwd(),
    signals: processSignals(),
    masked,
  });
}
