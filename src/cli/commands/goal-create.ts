import type { Command } from 'commander';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import { agentChoiceOf, createGoalRequestSchema, parseRequest, startGoal } from '../../runtime/app/index.js';
import { renderCreatedText, renderProofMarkdown } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { json, withFormat, withRunOptions } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';
import { printExecuted, type RunFlags, reportExecuted, runProgress } from './goal-execute.js';

/** The flags that are not named as the request's fields (the others are read by its schema as they are). */
interface CreateFlags extends RunFlags {
  repo?: string;
  budgetTime?: string;
  budgetTokens?: string;
  budgetUsd?: string;
}

const DESCRIPTIONS = {
  run: 'create a goal, plan it and execute it: agents in worktrees, gates, review, local integration, proof',
  plan: 'create a goal and plan it (task graph, PRD, technical plan, test spec) without running anything',
} as const;

export function registerCreateCommands(goal: Command, context: ProgramContext): void {
  for (const mode of ['run', 'plan'] as const) {
    const command = withFormat(goal.command(mode).description(DESCRIPTIONS[mode]))
      .argument('<goal>', 'what to achieve, in words, e.g. "fix the failing tests and add a regression test"')
      .option('--repo <path>', 'the git repository to work on (default: the current directory)')
      .option('--policy <policy>', 'delivery: local | draft-pr | auto-pr (default: local)')
      .option('--merge-policy <policy>', 'merging: disabled | manual | gated (default: disabled)')
      .option(
        '--slice-execution <mode>',
        'where slices run: worktree | sparse (cone-mode worktrees; gates on the integrated tree only) | branch (default: worktree)',
      )
      .option('--until-ready', 'keep executing until the proof is ready, failed, blocked or out of budget')
      .option(
        '--allow-gate-edits',
        'the goal means to change what its gates run (test script, runner config): such a change waits for a person (accept, then merge) instead of failing the slice',
      )
      .option(
        '--allow-workflow-edits',
        'the goal means to change its CI workflows (.github/workflows/, .github/actions/): its slices may write them, and the branch is pushed only after a person accepts the goal',
      )
      .option('--max-agents <n>', 'agents running at once, 1-64 (default: 4)')
      .option('--no-llm-planner', 'plan with the heuristic only, without asking the agent for a task graph')
      .option('--planner-token-budget <n>', 'most tokens the planning prompt may take (default: 8000)')
      .option('--budget-time <duration>', 'time budget, e.g. 30m, 8h, 7d')
      .option('--budget-tokens <n>', 'token budget, e.g. 200000 or 200k')
      .option('--budget-usd <amount>', 'spend budget in US dollars, e.g. 25');
    withRunOptions(command).action(
      act<CreateFlags>(context, async (call) => {
        const { options, ref: text, io, format } = call;
        // --policy, --merge-policy, --slice-execution, --max-agents, --until-ready, --allow-gate-edits,
        // --allow-workflow-edits, --no-llm-planner, --planner-token-budget and --agent are the request's fields by name.
        const request = parseRequest(createGoalRequestSchema, {
          ...options,
          goal: text,
          rawGoal: text,
          repo: options.repo ?? io.cwd,
          budget: { time: options.budgetTime, tokens: options.budgetTokens, usd: options.budgetUsd },
        });
        const { progress, io: notes } = runProgress(call);
        const app = call.compose(notes);
        const { created, executed } = await progress.around(() =>
          abortOnSignal(processSignals(), (signal) =>
            startGoal(app, {
              create: request,
              mode,
              agent: agentChoiceOf({ ...options, agent: request.agent }),
              execute: {
                after: 'deliver',
                untilReady: request.untilReady,
                signal,
                keepWorktrees: options.keepWorktrees,
              },
              onCreated: async (goal) => {
                if (mode === 'run') progress.start(app.store, goal.goal.id);
              },
            }),
          ),
        );
        const paths = app.store.paths(created.goal.id);
        if (executed !== null) {
          const verdict = reportExecuted(app, executed, request.untilReady);
          printExecuted(io, executed, format, paths.dir);
          return verdict;
        }
        if (format === 'json') io.stdout(json({ ...created, paths }));
        else if (format === 'md') io.stdout(renderProofMarkdown(created.proof, CLI_STEPS));
        else {
          const { id } = created.goal;
          const next = `next: omk goal proof ${id}   omk goal show ${id}   omk goal replay ${id}\n`;
          io.stdout(`${renderCreatedText(created, CLI_STEPS)}state: ${paths.dir}\n${next}`);
        }
      }),
    );
  }
}
