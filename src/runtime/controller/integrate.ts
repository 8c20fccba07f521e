import { join } from 'node:path';
import type { EventInput } from '../events/schema.js';
import { gateRunKey, reuseDecision, reusedGates } from '../gates/reuse.js';
import { INTEGRATION_ID, integrationBranchName } from '../graph/branches.js';
import { dependencyWaves } from '../graph/order.js';
import { allowedProtectedPaths } from '../graph/protected.js';
import { linkFindings } from '../integrity/findings.js';
import { integrationConflictGap } from '../proof/gaps.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { controllerReview, renderReviewMarkdown, securityReview } from '../review/index.js';
import type { IntegrationResult } from '../workspace/port.js';
import { baselineForIntegration } from './base-run.js';
import { checkedGates } from './checked-gates.js';
import type { RunContext } from './context.js';
import { sliceBranches } from './execution-state.js';
import { failToPassEvidence } from './fail-to-pass.js';
import { preparesWorktrees, prepareWorkspace } from './prepare.js';

/**
 * Merges done slices, in dependency order, into omk/<goal-id>/integration; reruns the gates on the
 * integrated tree (against the base, for pre-existing failures) and reviews the whole change.
 * A conflict is evidence, never force-resolved. Returns what the merge gave (null: nothing to
 * integrate), for an integration repair to work on.
 */
export async function integrateSlices(ctx: RunContext): Promise<IntegrationResult | null> {
  const { journal, deps, goal } = ctx;
  // A conflict an integration repair has resolved since is judged again below, not kept.
  journal.execution = {
    ...journal.execution,
    gaps: journal.execution.gaps.filter((gap) => gap.code !== 'integration_conflict'),
  };
  const done = dependencyWaves(journal.graph.tasks)
    .flat()
    .filter((task) => task.status === 'done');
  const { branches, heads } = sliceBranches(journal.execution, done);
  if (branches.length === 0) {
    // Nothing to integrate: a workspace made ahead of time for it is not left behind.
    await ctx.preparedIntegration?.discard();
    return null;
  }
  const target = integrationBranchName(goal.id);
  const result = await deps.workspaces.integrate({
    repoRoot: goal.repo.root,
    workspaceRoot: deps.workspaceRoot,
    goalId: goal.id,
    baseSha: ctx.base.baseSha,
    target,
    branches,
    heads,
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
      gaps: [...journal.execution.gaps, integrationConflictGap(goal.id, { branch, target, detail })],
    };
    await journal.save([{ type: 'integration_conflict', data: { branch, paths, detail } }]);
    deps.reporter.warn(`integration conflict merging ${branch}: ${paths.join(', ')}`);
    return result;
  }

  deps.reporter.info(
    `integrated ${result.merged.length} slice(s) into ${target}; verifying the integrated tree`,
  );
  // After the merge: the slices may have changed package.json or the lockfile.
  // Its gates (a repair's included) build in the integration's own cache, which no slice's gate
  // wrote: code that ran in a reset attempt or a failed slice planted nothing they read.
  const own = deps.integrationCache;
  const prepared = await prepareWorkspace(ctx, result.workspace.path, 'integration');
  const gateEnv = own === undefined ? prepared : own.env(prepared);
  const verify = own?.verify ?? deps.verify;
  // The integrated tree of one slice is often that slice's tree (a merge commit of it alone): its
  // gate results stand for this tree when both worktrees held nothing besides it (gates/reuse.ts).
  // Otherwise the gates run again: the slice's saw files git ignores that its agent left, or what
  // omk prepared from the slice's start, which the tree id does not cover
  // (test/execution/integration-same-tree.test.ts).
  const facts = await deps.workspaces.treeFacts?.(result.workspace.path, result.headSha);
  const reuse =
    facts === undefined
      ? null
      : reuseDecision(ctx.sliceGateRuns ?? [], {
          tree: facts.tree,
          extra: facts.extra,
          key: gateRunKey(ctx.gates, gateEnv),
          baseSha: ctx.base.baseSha,
          prepared: preparesWorktrees(deps),
        }).reuse;
  if (reuse !== null) {
    deps.reporter.info(`the integrated tree is ${reuse.slice}'s tree: its gate results stand, not run again`);
  }
  // The integrated tree runs the agents' code too: the same checks as a slice's gates.
  const integrity: Finding[] = foreignInIntegration(result.foreign ?? []);
  const baseGates = reuse !== null ? null : await baselineForIntegration(ctx);
  const gates =
    reuse !== null
      ? reusedGates(reuse, result.headSha)
      : await checkedGates(
          ctx,
          result.workspace.path,
          result.headSha,
          integrity,
          () =>
            verify(ctx.gates, {
              cwd: result.workspace.path,
              sha: result.headSha,
              baseCwd: ctx.base.path,
              baseSha: ctx.base.baseSha,
              baseline: baseGates,
              artifactsDir: deps.store.paths(goal.id).gateArtifacts,
              env: gateEnv,
              signal: ctx.signal,
            }),
          false,
          INTEGRATION_ID,
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
    allowedProtectedPaths: allowedProtectedPaths(goal.options.allowWorkflowEdits),
    changedFiles: result.changedFiles,
    diff: result.diff,
    gates,
    ...(deps.holdsToken === undefined ? {} : { holdsToken: deps.holdsToken }),
  };
  const baseline =
    goal.oracle.shape === 'fail_to_pass'
      ? await failToPassEvidence({ ...ctx, deps: { ...deps, verify } }, gates, {
          cwd: result.workspace.path,
          changedFiles: result.changedFiles,
          diff: result.diff,
        })
      : null;
  const findings = [
    ...controllerReview(reviewInput),
    ...securityReview(reviewInput),
    ...integrity,
    ...(baseline?.findings ?? []),
  ];
  await deps.store.files.writeAtomic(
    join(deps.store.paths(goal.id).reviewArtifacts, 'integration.md'),
    renderReviewMarkdown(findings, 'integration'),
  );
  const finalGates: GateEvidence[] = [...gates];
  if (goal.oracle.requiredGates.includes('security-review')) {
    // Agents run on the integration branch that reached outside their worktree block it too (the
    // proof carries their findings from execution.json, integrated or not).
    const blocking = [...findings, ...journal.execution.integrationIntegrity].filter(
      (f) => f.review === 'security' && f.severity === 'blocking',
    );
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
    integration: facts === undefined ? integration : { ...integration, tree: facts.tree },
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
        ...(facts === undefined ? {} : { tree: facts.tree }),
        merged: result.merged,
        gates: finalGates.map((g) => `${g.name}:${g.outcome}`),
        ...(reuse === null ? {} : { reusedFrom: { slice: reuse.slice, sha: reuse.sha, tree: reuse.tree } }),
      },
    },
  ];
  await journal.save(events, {
    // Reused results were spent (and counted) when the slice's gates made them.
    spend: {
      timeMs:
        (reuse === null ? gates.reduce((sum, gate) => sum + gate.durationMs, 0) : 0) +
        (baseline?.durationMs ?? 0),
    },
    spendNote: 'integration gates',
    decisions: baseline ? [baseline.decision] : [],
  });
  return result;
}

/** The integration workspace made ahead of time held files an agent wrote there (IntegrationResult.foreign). */
function foreignInIntegration(paths: readonly string[]): Finding[] {
  if (paths.length === 0) return [];
  const shown = paths.slice(0, 5).map((path) => JSON.stringify(path));
  const more = paths.length > 5 ? ` and ${paths.length - 5} more` : '';
  return [
    {
      review: 'controller',
      severity: 'blocking',
      message:
        `omk's integration worktree, made while the agents ran, held files omk did not put there: ${shown.join(', ')}${more}. ` +
        'An agent, its tests or a process it left wrote there, outside its own worktree, where the ' +
        "merged tree's gates run; omk removed them before merging, but the goal is not trusted.",
      paths: [...paths],
    },
  ];
}
