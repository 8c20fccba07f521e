import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { type ActionEnv, type ActionRun, createActionEnv } from './harness.js';

/**
 * The sandbox-network input reaches the run: an agent that tries a server on the runner's
 * loopback reaches it under the default (agents open) and not under `sandbox-network: none`, and
 * the proof's sandbox decision names the network the input asked for.
 */
let env: ActionEnv;
let server: Server;
let host: SandboxAvailability;
const runs: Record<'open' | 'none', ActionRun | null> = { open: null, none: null };

const agent = (port: number) => `#!/bin/sh
node -e "require('net').connect(${port}, '127.0.0.1').on('data', () => { console.log('reached the host'); process.exit(0); }).on('error', (e) => { console.log('unreachable: ' + e.code); process.exit(0); })"
printf "\\n// touched\\n" >> "$1"
`;

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH } }).probe();
  server = createServer((socket) => socket.end('hello from the runner\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  env = await createActionEnv({ executables: { 'tools/agent.sh': agent(port) } });
  // Each network in a workflow run of its own: one run's steps with the same goal share a goal.
  for (const [runId, network] of [
    ['7301', 'open'],
    ['7302', 'none'],
  ] as const) {
    runs[network] = await env.run(
      {
        goal: DEMO_GOAL,
        agent: 'script:./tools/agent.sh',
        'agent-args': 'src/math.js',
        sandbox: 'required',
        'sandbox-network': network,
      },
      { GITHUB_RUN_ID: runId },
    );
  }
}, 300_000);
afterAll(async () => {
  await env.cleanup();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function transcriptOf(run: ActionRun): Promise<string> {
  const goalId = run.outputs['goal-id'] ?? '';
  const dir = join(env.runnerTemp, 'omk', 'state', 'goals', goalId, 'artifacts', 'agent-runs');
  const proof = proofSchema.parse(JSON.parse(run.outputs['proof-json'] ?? ''));
  const slice = proof.slices[0]?.id ?? '';
  return readFile(join(dir, slice, 'transcript-1.log'), 'utf8');
}

describe('the sandbox-network input', () => {
  it('decides the network of the confined agent (reported where bubblewrap cannot run here)', async () => {
    const open = runs.open;
    const none = runs.none;
    if (open === null || none === null) throw new Error('the runs did not happen');
    if (!host.available || !host.network.isolated) {
      // sandbox: required refuses before any agent runs: the input cannot be shown to confine.
      console.warn(
        `sandbox-network not exercised: bubblewrap cannot isolate a network here (${JSON.stringify(host)})`,
      );
      expect(none.code).not.toBe(0);
      expect(none.stdout + none.stderr).toMatch(/sandbox: required/);
      return;
    }
    for (const run of [open, none]) expect(run.outputs['goal-id'], run.stdout + run.stderr).toMatch(/.+/);
    expect(await transcriptOf(open)).toContain('reached the host');
    expect(await transcriptOf(none)).toContain('unreachable: ECONNREFUSED');
    const decision = (run: ActionRun) =>
      proofSchema
        .parse(JSON.parse(run.outputs['proof-json'] ?? ''))
        .decisions.find((d) => d.kind === 'sandbox');
    expect(decision(open)).toMatchObject({
      decision: 'sandboxed',
      reason: expect.stringContaining('network: agents open, gates open'),
    });
    expect(decision(none)).toMatchObject({
      decision: 'sandboxed',
      reason: expect.stringContaining('network: agents none, gates none'),
    });
  });
});
