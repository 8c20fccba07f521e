import { join } from 'node:path';
import type { EventInput } from '../events/schema.js';
import { integrationBranchName } from '../graph/branches.js';
import { dependencyWaves } from '../graph/order.js';
import { linkFindings } from '../integrity/findings.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { controllerReview, renderReviewMarkdown, securityReview } from '../review/index.js';
import { writeFileAtomic } from '../state/atomic.js';
import { checkedGates } from './checked-gates.js';
import type { RunContext } from './context.js';
import { sliceRecord } from './execution-state.js';
import { prepareWorkspace } from './prepare.js';

/**
 * Merges done slices, in dependency order, into omk/<goal-id>/integration; reruns the gates on the
 * integrated tree (against the base, for pre-existing failures) and reviews the whole change.
 * A conflict is evidence, never force-resolved.
 */
export async function integrateSlices(ctx: RunContext): Promise<void> {
  const { journal, deps, goal } = ctx;
  const done = dependencyWaves(journal.graph.tasks)
    .flat()
    .filter((task) => task.status === 'done');
  const branches = done
    .map((task) => sliceRecord(journal.execution, task.id).branch)
    .filter((branch): branch is string => branch !== null);
  if (branches.length === 0) {
    // Nothing to integrate: a workspace made ahead of time for it is not left behind.
    await ctx.preparedIntegration?.discard();
    return;
  }
  const target = integrationBranchName(goal.id);
  const result = await deps.workspaces.integrate({
    repoRoot: goal.repo.root,
    workspaceRoot: deps.workspaceRoot,
    goalId: goal.id,
    baseSha: ctx.base.baseSha,
    target,
    branches,
  });
  const integration = {
    branch: target,
    workspace: result.workspace.path,
    headSha: result.headSha,
    merged: result.merged,
    conflict: result.conflict,
  };
  if (result.conflict) {
    const { branch, paths, detail } = result.conflict;
    journal.execution = {
      ...journal.execution,
      integration,
      gaps: [
        ...journal.execution.gaps,
        {
          code: 'integration_conflict',
          message: `Merging ${branch} conflicts in ${paths.join(', ')}: ${detail}`,
        },
      ],
    };
    await journal.save([{ type: 'integration_conflict', data: { branch, paths, detail } }]);
    deps.reporter.warn(`integration conflict merging ${branch}: ${paths.join(', ')}`);
    return;
  }

  deps.reporter.info(
    `integrated ${result.merged.length} slice(s) into ${target}; verifying the integrated tree`,
  );
  // After the merge: the slices may have changed package.json or the lockfile.
  const gateEnv = await prepareWorkspace(ctx, result.workspace.path, 'integration');
  // The integrated tree runs the agents' code too: the same checks as a slice's gates.
  const integrity: Finding[] = [];
  const gates = await checkedGates(
    ctx,
    result.workspace.path,
    result.headSha,
    integrity,
    () =>
      deps.verify(ctx.gates, {
        cwd: result.workspace.path,
        sha: result.headSha,
        baseCwd: ctx.base.path,
        baseSha: ctx.base.baseSha,
        baseline: ctx.baseline ?? null,
        artifactsDir: deps.store.paths(goal.id).gateArtifacts,
        env: gateEnv,
        signal: ctx.signal,
      }),
    false,
  );
  integrity.push(
    ...linkFindings(
      await deps.integrity.escapingLinks(
        result.workspace.path,
        result.changedFiles.map((file) => file.path),
      ),
    ),
  );
  const reviewInput = {
    taskId: 'integration',
    writes: [...new Set(done.flatMap((task) => task.writes))],
    allowedProtectedPaths: [],
    changedFiles: result.changedFiles,
    diff: result.diff,
    gates,
  };
  const findings = [...controllerReview(reviewInput), ...securityReview(reviewInput), ...integrity];
  await writeFileAtomic(
    join(deps.store.paths(goal.id).reviewArtifacts, 'integration.md'),
    renderReviewMarkdown(findings, 'integration'),
  );
  const baseline =
    goal.oracle.shape === 'fail_to_pass' ? await failToPassEvidence(ctx, gates, gateEnv) : null;
  const finalGates: GateEvidence[] = [...gates];
  if (goal.oracle.requiredGates.includes('security-review')) {
    const blocking = findings.filter((f) => f.review === 'security' && f.severity === 'blocking');
    finalGates.push({
      name: 'security-review',
      kind: 'security-review',
      required: true,
      outcome: blocking.length === 0 ? 'passed' : 'failed',
      exitCode: null,
      durationMs: 0,
      sha: result.headSha,
      tail: blocking.map((f) => f.message).join('\n') || 'no blocking security findings',
      artifact: join(deps.store.paths(goal.id).reviewArtifacts, 'integration.md'),
    });
  }
  journal.execution = {
    ...journal.execution,
    integration,
    finalChangedFiles: result.changedFiles,
    finalGates,
    finalFindings: findings,
  };
  const events: EventInput[] = [
    {
      type: 'integration_done',
      data: {
        target,
        headSha: result.headSha,
        merged: result.merged,
        gates: finalGates.map((g) => `${g.name}:${g.outcome}`),
      },
    },
  ];
  await journal.save(events, {
    spend: { timeMs: gates.reduce((sum, gate) => sum + gate.durationMs, 0) + (baseline?.durationMs ?? 0) },
    spendNote: 'integration gates',
    decisions: baseline ? [baseline.decision] : [],
  });
}

/**
 * A fix is shown by a test that fails on the base and passes on the head: run the test gates on
 * the base and record what they say, whichever way it goes.
 */
async function failToPassEvidence(
  ctx: RunContext,
  headGates: readonly GateEvidence[],
  env: Readonly<Record<string, string>>,
): Promise<{ decision: { kind: string; decision: string; reason: string }; durationMs: number }> {
  const tests = ctx.gates.filter((gate) => gate.kind === 'test');
  // The run's check of the gates on the base already ran them there: reuse it.
  const known = ctx.baseline?.sha === ctx.base.baseSha ? ctx.baseline.gates : null;
  const base =
    known?.filter((gate) => gate.kind === 'test') ??
    (await ctx.deps.verify(
      tests.map((gate) => ({ ...gate, required: false })),
      {
        cwd: await ctx.base.path(),
        sha: ctx.base.baseSha,
        baseCwd: null,
        baseSha: null,
        artifactsDir: ctx.deps.store.paths(ctx.goal.id).gateArtifacts,
        env,
        signal: ctx.signal,
      },
    ));
  const short = (sha: string) => sha.slice(0, 12);
  const head = headGates.filter((gate) => gate.kind === 'test');
  // A test that cannot start on the base shows nothing about the fix.
  const failedOnBase = base.filter((gate) => !['passed', 'flaky', 'unavailable'].includes(gate.outcome));
  const passedOnHead =
    head.length > 0 && head.every((gate) => gate.outcome === 'passed' || gate.outcome === 'flaky');
  // Reused results were spent (and counted) when the base run made them.
  const durationMs = known === null ? base.reduce((sum, gate) => sum + gate.durationMs, 0) : 0;
  if (tests.length === 0) {
    return {
      durationMs,
      decision: {
        kind: 'oracle',
        decision: 'fail-to-pass not shown',
        reason: 'no test gate to run on the base',
      },
    };
  }
  const where = `base ${short(ctx.base.baseSha)}, head ${short(head[0]?.sha ?? '')}`;
  return {
    durationMs,
    decision:
      failedOnBase.length > 0 && passedOnHead
        ? {
            kind: 'oracle',
            decision: 'fail-to-pass shown',
            reason: `${failedOnBase.map((g) => g.name).join(', ')} fails on the base and passes on the head (${where})`,
          }
        : {
            kind: 'oracle',
            decision: 'fail-to-pass not shown',
            reason:
              failedOnBase.length === 0
                ? `the tests already pass on the base (${where}); only new tests can show the fix`
                : `the tests fail on the base and still fail on the head (${where})`,
          },
  };
}
