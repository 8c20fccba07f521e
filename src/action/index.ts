// The Action's entry (dist/index.js): what the runner starts. The logic is in main.ts.
import { run } from './main.js';

await run();
