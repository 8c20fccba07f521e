// The Action's entry (dist/index.js): wires the process into the runner and does nothing else.
import { actionsCore } from '../adapters/actions-runner/core.js';
import { processSignals } from '../adapters/process/signals.js';
import { runAction } from './runner.js';

await runAction({ core: actionsCore(), env: process.env, cwd: process.cwd(), signals: processSignals() });
