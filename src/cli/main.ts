// Entry point of the omk CLI (bin/omk.js). Everything else is in ./run.ts.
import { scrubCliEnvironment } from './environ.js';
import { runCli } from './run.js';

// Before any command, so before any agent: process.env still holds the values, the block
// /proc/<pid>/environ shows does not.
const environWarning = scrubCliEnvironment();
if (environWarning !== null) process.stderr.write(environWarning);
const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stdout.columns || process.stderr.columns || 80,
});
process.exitCode = code;
