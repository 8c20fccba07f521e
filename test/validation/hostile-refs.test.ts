import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBotConfig } from '../../src/adapters/bot/config.js';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import {
  branchNameProblem,
  configPathProblem,
  DEFAULT_STATE_BRANCH,
  stateBranchProblem,
} from '../../src/runtime/app/index.js';
import { type ActionEnv, createActionEnv, errorLines } from '../action/harness.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// One table of hostile ref and path inputs, run through every front door that takes each (the
// CLI, the Action, the bot), dry and real runs alike: each must refuse with the runtime's own
// reason (the refusal the one rule gives) and print no raw control, bidi or zero-width character
// and no workflow-command line of the input's making.

const STATE_BRANCHES = [
  'main',
  'main\n',
  'main\r',
  'HEAD',
  'FETCH_HEAD',
  'refs/heads/x',
  'refs/heads/main',
  'refs/remotes/origin/main',
  'omk/../x',
  'omk/sta\u200bte',
  'omk/\u202estate',
];

const BASE_BRANCHES = [
  'main\n',
  'x\n::add-mask::y',
  '::add-mask::x',
  'ma\u200bin',
  'a\u202eb',
  'HEAD',
  'refs/heads/main',
  '-x',
  '',
];

const CONFIG_PATHS = ['/etc/passwd', '../..', '../../etc/passwd', 'a/../../x', '.github/omk\u202e.yml'];

/** Characters no message may carry raw (a newline only as the output's own line break). */
const RAW =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters looked for.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;

const shown = (value: string) => JSON.stringify(value);

/** No hidden character, and no line that the input turned into a workflow command. */
function expectClean(output: string, label: string): void {
  expect(RAW.test(output), `${label}: a raw hidden character in:\n${output}`).toBe(false);
  for (const line of output.split('\n')) {
    expect(/^::add-mask::(x|y)/.test(line), `${label}: an injected workflow command: ${line}`).toBe(false);
  }
}

function problem(rule: (value: string) => string | null, value: string): string {
  const found = rule(value);
  if (found === null) throw new Error(`the runtime's rule accepts ${shown(value)}: not a hostile input`);
  return found;
}

describe('the runtime rules refuse every input of the table', () => {
  it.each(STATE_BRANCHES.map((v) => [shown(v), v]))('state branch %s', (_, value) => {
    expect(stateBranchProblem(value)).not.toBeNull();
  });
  it.each(BASE_BRANCHES.map((v) => [shown(v), v]))('base branch %s', (_, value) => {
    expect(branchNameProblem(value)).not.toBeNull();
  });
  it.each(CONFIG_PATHS.map((v) => [shown(v), v]))('config path %s', (_, value) => {
    expect(configPathProblem(value)).not.toBeNull();
  });
});

describe('the CLI', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let goalId = '';
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    const run = await omk('goal', 'run', DEMO_GOAL, '--agent', 'demo', '--until-ready', '--json');
    expect(run.code, run.stderr).toBe(0);
    goalId = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  }, 120_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
  });

  it('open-pr --base-branch: the dry run refuses what the real run refuses, with the same reason', async () => {
    for (const base of BASE_BRANCHES) {
      const why = problem(branchNameProblem, base);
      const common = ['goal', 'open-pr', goalId, '--policy', 'draft-pr', '--base-branch', base];
      const dry = await omk(...common, '--dry-run', '--format', 'json');
      const real = await omk(...common, '--forge', 'local');
      for (const [label, run] of [
        ['dry', dry],
        ['real', real],
      ] as const) {
        expect(run.code, `${label} ${shown(base)}: ${run.stderr}`).toBe(2);
        expect(run.stderr, `${label} ${shown(base)}`).toContain(why);
        expectClean(run.stdout + run.stderr, `${label} ${shown(base)}`);
      }
    }
  }, 120_000);

  it('status --remote --state-branch: refused with the same reason before any git call', async () => {
    for (const branch of STATE_BRANCHES) {
      const run = await omk('goal', 'status', goalId, '--remote', '--state-branch', branch);
      expect(run.code, `${shown(branch)}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(problem(stateBranchProblem, branch));
      expectClean(run.stdout + run.stderr, shown(branch));
    }
    expect(await omk('goal', 'status', goalId, '--state-branch', DEFAULT_STATE_BRANCH)).toMatchObject({
      code: 0,
    });
  }, 120_000);
});

describe('the Action', () => {
  let env: ActionEnv;
  beforeAll(async () => {
    env = await createActionEnv();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  async function refused(input: string, value: string, why: string): Promise<void> {
    for (const dryRun of ['true', 'false']) {
      const label = `${input}=${shown(value)} dry-run=${dryRun}`;
      const run = await env.run({ goal: DEMO_GOAL, agent: 'demo', 'dry-run': dryRun, [input]: value });
      expect(run.code, `${label}\n${run.stdout.slice(-2000)}`).toBe(1);
      expect(errorLines(run).join('\n'), label).toContain(why);
      expectClean(run.stdout + run.stderr, label);
    }
  }

  it('state-branch', async () => {
    for (const branch of STATE_BRANCHES)
      await refused('state-branch', branch, problem(stateBranchProblem, branch));
    // Nothing was committed anywhere: no goal state on any branch of the repository.
    expect(env.server.state.pulls.size).toBe(0);
  }, 180_000);

  it('base-branch', async () => {
    // An empty base-branch input is "not given" (the event's branch is used), as action.yml says.
    for (const base of BASE_BRANCHES.filter((b) => b !== '')) {
      await refused('base-branch', base, problem(branchNameProblem, base));
    }
  }, 180_000);

  it('config-path: only a file inside the repository, never quoted raw', async () => {
    for (const path of CONFIG_PATHS) await refused('config-path', path, problem(configPathProblem, path));
    // Nothing of a file outside the repository is read or quoted (/etc/passwd's first line).
    for (const run of env.runs) expect(run.stdout + run.stderr).not.toMatch(/root:[^:\n]*:0:0:/);
  }, 180_000);
});

describe('the bot', () => {
  it('OMK_STATE_BRANCH: refused at start with the same reason, shown escaped', () => {
    for (const branch of STATE_BRANCHES) {
      let message = '';
      try {
        readBotConfig({ OMK_BOT_MODE: 'actions', OMK_STATE_BRANCH: branch });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, shown(branch)).toContain(problem(stateBranchProblem, branch));
      expectClean(message, shown(branch));
    }
  });
});
