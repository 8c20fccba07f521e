import { runGit } from './run-git.js';

/** What `git --version` prints, e.g. "git version 2.43.0\n" (the doctor parses and judges it). */
export async function gitVersion(cwd: string): Promise<string> {
  return (await runGit(['--version'], { cwd })).stdout;
}
