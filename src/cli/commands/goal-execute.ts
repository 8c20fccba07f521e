import type { Command } from 'commander';
import { chooseAgentSpec, composeLocalController } from '../../adapters/local-controller.js';
import { type ExecuteResult, executeGoal } from '../../runtime/controller/execute.js';
import { afterExecution } from '../../runtime/delivery/pipeline.js';
import { readProof } from '../../runtime/goal/queries.js';
import { renderProofMarkdown } from '../../runtime/proof/render-markdown.js';
import { type CliRuntime, composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { chooseForge } from '../forge.js';
import { formatOf, json, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { renderExecuted } from '../render/goal.js';

export interface ExecuteCliOptions {
  agent?: string;
  untilReady?: boolean;
  /** auto | local | github: where PRs go when the delivery policy is not local. */
  forge?: string;
}

/**
 * Runs the controller on a goal, with SIGINT/SIGTERM persisting an interrupted state (resume
 * continues it). Exit status follows the proof only with --until-ready: scripts can gate on it.
 */
export async function runController(
  context: ProgramContext,
  runtime: CliRuntime,
  goalId: string,
  options: ExecuteCliOptions,
): Promise<ExecuteResult> {
  const goal = await runtime.store.read(goalId);
  const spec = await chooseAgentSpec(goal.repo.root, options.agent, goal.options.agent);
  const deps = await composeLocalController(
    { store: runtime.store, repo: runtime.repo, reporter: runtime.reporter, env: context.io.env },
    goal,
    spec,
  );
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await executeGoal(deps, goalId, {
      untilReady: options.untilReady ?? goal.options.untilReady,
      signal: interrupt.signal,
    });
    if (result.stoppedBy === 'signal') context.setExitCode(EXIT_CODES.interrupted);
    else if (result.stoppedBy === 'budget') context.setExitCode(EXIT_CODES.budget);
    else if (options.untilReady && result.proof.status !== 'ready') context.setExitCode(EXIT_CODES.not_ready);
    if (result.stoppedBy === null && result.goal.options.policy !== 'local') {
      const forge = await chooseForge(context.io, result.goal, runtime.store.deps.stateRoot, options.forge);
      const after = await afterExecution({ store: runtime.store, forge, reporter: runtime.reporter }, goalId);
      for (const note of after.notes) runtime.reporter.info(note);
      if (after.merge) {
        runtime.reporter.info(
          after.merge.merged
            ? `merged the integrator PR #${after.merge.pr} as ${after.merge.sha.slice(0, 12)}`
            : `merge blocked by ${after.merge.blockedBy}: ${after.merge.reasons.map((r) => r.detail).join('; ')}`,
        );
      }
      return {
        ...result,
        goal: await runtime.store.read(goalId),
        proof: (await readProof(runtime.store, goalId)).proof,
      };
    }
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function printExecuted(
  context: ProgramContext,
  result: ExecuteResult,
  format: 'text' | 'json' | 'md',
  dir: string,
): void {
  if (format === 'json')
    context.io.stdout(json({ goal: result.goal, proof: result.proof, stoppedBy: result.stoppedBy }));
  else if (format === 'md') context.io.stdout(renderProofMarkdown(result.proof));
  else context.io.stdout(renderExecuted(result, dir));
}

export function registerExecuteCommand(goal: Command, context: ProgramContext): void {
  withFormat(
    goal
      .command('execute')
      .description('run the planned slices: agents in worktrees, gates, review, local integration, proof')
      .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
      .option(
        '--agent <agent>',
        'claude | codex | gemini | kimi | aider | opencode | script:<path> | <custom> | demo',
      )
      .option(
        '--until-ready',
        'retry slices up to their retries until the proof is ready, failed, blocked or out of budget',
      )
      .option(
        '--forge <forge>',
        'auto | local | github: where PRs go when the policy is draft-pr or auto-pr',
      ),
  ).action(async (ref: string, options: ExecuteCliOptions & { format?: string; json?: boolean }) => {
    const format = formatOf(options);
    const runtime = composeRuntime(context.io, context.stateDir());
    const id = await runtime.store.resolve(ref);
    const result = await runController(context, runtime, id, options);
    printExecuted(context, result, format, runtime.store.paths(id).dir);
  });
}

/**
 * `verify` and `review`: rerun the gates and the reviews on the integrated tree of what is done,
 * without starting any agent, and settle the proof again (after a flaky run, or a config change).
 */
export function registerVerifyCommands(goal: Command, context: ProgramContext): void {
  for (const name of ['verify', 'review'] as const) {
    withFormat(
      goal
        .command(name)
        .description(
          name === 'verify'
            ? 'rerun the gates (and the reviews) on the integrated tree of the done slices; no agent runs'
            : 'rerun the controller and security reviews (and the gates) on the integrated change; no agent runs',
        )
        .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest'),
    ).action(async (ref: string, options: { format?: string; json?: boolean }) => {
      const format = formatOf(options);
      const runtime = composeRuntime(context.io, context.stateDir());
      const id = await runtime.store.resolve(ref);
      const goal = await runtime.store.read(id);
      const spec = await chooseAgentSpec(goal.repo.root, undefined, goal.options.agent ?? 'demo');
      const deps = await composeLocalController(
        { store: runtime.store, repo: runtime.repo, reporter: runtime.reporter, env: context.io.env },
        goal,
        spec,
      );
      const result = await executeGoal(deps, id, { untilReady: false, dispatch: false });
      printExecuted(context, result, format, runtime.store.paths(id).dir);
    });
  }
}
