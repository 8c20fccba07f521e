import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputDefaults } from '../../src/action/action-yml.js';
import { type InputName, readInputs } from '../../src/action/inputs.js';
import { expression } from '../../src/action/wording.js';
import { kebabName, START_OPTIONS, type StartOptionField } from '../../src/runtime/app/index.js';
import { actionMetadata, ROOT } from './harness.js';
import { actionMetadataSchema, inputsTable, outputsTable } from './metadata.js';

const meta = actionMetadataSchema.parse(await actionMetadata());

describe('action.yml', () => {
  it('is valid metadata for a node24 action whose entries are the checked-in bundle', () => {
    expect(meta.runs).toEqual({
      using: 'node24',
      main: 'dist/index.cjs',
      post: 'dist/post.js',
      'post-if': 'always()',
    });
    expect(meta.inputs['github-token']?.default).toBe(expression('github.token'));
  });

  it('has a description the Marketplace shows whole, and the license package.json names', async () => {
    expect(meta.description.length).toBeLessThan(125);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    const license = await readFile(join(ROOT, 'LICENSE'), 'utf8');
    expect(pkg.license).toBe('MIT');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Permission is hereby granted, free of charge');
  });

  it('lists exactly the inputs inputs.ts reads', () => {
    const read: string[] = [];
    readInputs((name: InputName) => {
      read.push(name);
      return { command: 'status', 'goal-id': 'g-123456', 'github-token': 't' }[name as string] ?? '';
    });
    expect(read.sort()).toEqual(Object.keys(meta.inputs).sort());
  });

  it('has an input for each start option the catalogue says the Action offers, and none for the others', () => {
    for (const field of Object.keys(START_OPTIONS) as StartOptionField[]) {
      const offered = (START_OPTIONS[field].doors as readonly string[]).includes('action');
      expect(Object.hasOwn(meta.inputs, kebabName(field)), `${kebabName(field)} (${field})`).toBe(offered);
    }
  });

  it("gives blank inputs the defaults a YAML parser reads in it, but the runner's expressions", () => {
    const defaults = Object.fromEntries(
      Object.entries(meta.inputs)
        .filter(([, input]) => input.default !== '' && !input.default.includes('${{'))
        .map(([name, input]) => [name, input.default]),
    );
    expect(Object.keys(defaults).length).toBeGreaterThan(10);
    expect(inputDefaults()).toEqual(defaults);
  });

  // The outputs: src/action/report.test.ts checks actionOutputs sets exactly action.yml's.

  it('is documented in docs/action.md: the inputs and outputs tables match it', async () => {
    const docs = await readFile(join(ROOT, 'docs', 'action.md'), 'utf8');
    expect(docs, `docs/action.md must contain:\n${inputsTable(meta)}`).toContain(inputsTable(meta));
    expect(docs, `docs/action.md must contain:\n${outputsTable(meta)}`).toContain(outputsTable(meta));
    for (const name of Object.keys(meta.inputs)) expect(docs).toContain(`\`${name}\``);
  });

  it('is granted issues: write wherever the docs show a job that updates PRs, as their labels need', async () => {
    // Delivery adds and removes the PRs' labels through the issues API, and GitHub asks
    // issues: write to create a label the repository lacks: pull-requests: write is not enough.
    const grants = (value: unknown, found: Record<string, string>[] = []): Record<string, string>[] => {
      if (typeof value !== 'object' || value === null) return found;
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'permissions' && typeof inner === 'object' && inner !== null)
          found.push(inner as Record<string, string>);
        grants(inner, found);
      }
      return found;
    };
    const shown: { where: string; permissions: Record<string, string> }[] = [];
    for (const file of ['README.md', 'docs/action.md', 'docs/bot.md', '.github/workflows/omk-goal.yml']) {
      const text = await readFile(join(ROOT, file), 'utf8');
      const blocks = file.endsWith('.yml')
        ? [text]
        : [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
      for (const permissions of blocks.flatMap((block) => grants(parse(block))))
        shown.push({ where: file, permissions });
    }
    const updatesPrs = shown.filter(
      ({ permissions }) => permissions['pull-requests'] === 'write' && permissions.checks === 'write',
    );
    expect(new Set(updatesPrs.map(({ where }) => where)).size).toBe(4);
    for (const { where, permissions } of updatesPrs)
      expect({ where, ...permissions }).toMatchObject({ where, issues: 'write' });
  });
});
