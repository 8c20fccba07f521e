// The post step's logic entry (actions/typescript-action layout): `run()`, nothing at import,
// so `@github/local-action --post src/action/post/main.ts` runs it too.
import { actionsCore } from '../../adapters/actions-runner/core.js';
import { runPost } from './cleanup.js';

export async function run(): Promise<void> {
  await runPost(actionsCore());
}
