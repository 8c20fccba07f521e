import { expect } from 'vitest';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { transcriptLine } from './agents.js';
import { type ExecutionEnv, eventsOfType } from './execution.js';
import type { OmkResult } from './omk.js';

// The agents of the dependency-source tests (Go's module cache, cargo's registry sources) edit a
// dependency outside the worktree, print `EDIT done` or what stopped them, and commit a comment.

/** The id of the goal a `goal run --json` made, once it ended with exit code 0. */
function goalIdOf(result: OmkResult): string {
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/**
 * Unsandboxed: the edit worked (the slice's tests passed on a comment), yet the goal is not ready
 * and a `state_tampered` gap says `finding`.
 */
export async function expectEditNamed(env: ExecutionEnv, result: OmkResult, finding: RegExp): Promise<void> {
  const id = goalIdOf(result);
  const sliceGates = eventsOfType(await env.events(id), 'gates_verified').map((e) => e.data.outcomes);
  expect(sliceGates[0]).toContain('test:passed');
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
  expect(gaps.join('\n')).toMatch(finding);
}

/**
 * Sandboxed (`required`): where this host cannot confine, refused before any agent ran (false);
 * else the agent's edit was refused (read-only file system) and the goal is not ready (true).
 */
export async function expectEditRefused(
  env: ExecutionEnv,
  result: OmkResult,
  host: SandboxAvailability,
): Promise<boolean> {
  if (!host.available) {
    expect(result.code).not.toBe(0);
    return false;
  }
  const id = goalIdOf(result);
  expect(await transcriptLine(env.goalDir(id), 'EDIT ')).toMatch(/EROFS|read-only file system/i);
  expect((await env.proof(id)).status).not.toBe('ready');
  return true;
}
