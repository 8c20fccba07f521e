import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Subprocess tests run the bundled CLI, so build it once before the suite.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
