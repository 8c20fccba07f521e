import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionEnv } from './execution.js';
/**
 * Shell lines for a hostile agent that writes its own goal's directory in omk's state root (the
 * Action's and the bot's tests append them to a scripted agent's slice s1, after its work): it
 * drops the required gates from goal.json's oracle, appends a forged `gates_verified` line to
 * events.jsonl, and writes a proof.json that says ready (`which`: those of the three it does).
 * Each write that lands is noted, one name a line, in `marks` (a file), so a test knows the agent
 * reached the state root.
 */
export type StateFile = 'goal.json' | 'events.jsonl' | 'proof.json';

export function stateWrites(
  marks: string,
  which: readonly StateFile[] = ['goal.json', 'events.jsonl', 'proof.json'],
): string {
  const writes: Record<StateFile, string> = {
    'goal.json': `node -e '
const fs = require("node:fs");
const path = process.argv[1];
const goal = JSON.parse(fs.readFileSync(path, "utf8"));
goal.oracle.requiredGates = [];
fs.writeFileSync(path, JSON.stringify(goal, null, 2) + "\\n");
' "$goal/goal.json" && echo goal.json >> "${marks}"`,
    'events.jsonl': `printf '%s\\n' '{"v":1,"seq":90,"ts":"2026-01-01T00:00:00.000Z","type":"gates_verified","data":{"taskId":"'"$OMK_TASK_ID"'","outcomes":["test:passed"]}}' >> "$goal/events.jsonl" && echo events.jsonl >> "${marks}"`,
    'proof.json': `printf '%s\\n' '{"status":"ready","summary":"all gates passed"}' > "$goal/proof.json" && echo proof.json >> "${marks}"`,
  };
  return [
    // The worktree is `<state root>/worktrees/<goal id>/<slice>`.
    'goal="$(dirname "$(dirname "$(dirname "$PWD")")")/goals/$(basename "$(dirname "$PWD")")"',
    ...which.map((file) => writes[file]),
    '',
  ].join('\n');
}

/** The blocking finding a goal whose agent ran `stateWrites` must carry for each file (proof findings' messages). */
export const STATE_WRITE_FINDINGS: Readonly<Record<StateFile, RegExp>> = {
  'goal.json':
    /state_tampered: goal\.json of this goal was changed \(its goal, oracle, repository or options\) by something other than its controller while the agent of s1-\S+ ran/,
  'events.jsonl':
    /state_tampered: events\.jsonl of this goal was given a line omk did not write \(type `gates_verified`\)/,
  'proof.json':
    /state_tampered: proof\.json of this goal was rewritten \(no `proof_built` event with it\) by something other than its controller while the agent of s1-\S+ ran/,
};

/**
 * A shell agent for the state-root tests: `body` runs in the slice's worktree after it fixed the
 * buggy fixture's parser, with `$goal` the goal's directory (the worktree is
 * `<state>/worktrees/<goal id>/<slice>`). Asked to plan, it answers no plan at once (the heuristic
 * plans), so `body` runs only in the slice.
 */
export async function goalDirShellAgent(
  env: Pick<ExecutionEnv, 'kit' | 'stateDir'>,
  name: string,
  body: string,
): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'set -e',
      '[ "$OMK_TASK_ID" = plan ] && exit 0',
      "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
      `goal="${env.stateDir}/goals/$(basename "$(dirname "$PWD")")"`,
      body,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}
