import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskDraftSchema } from '../graph/schema.js';
import { FOLLOW_UPS_FILE, parseFollowUps, readFollowUps } from './follow-ups.js';

const defaults = {
  parentTaskId: 'fix-parser',
  ownerRole: 'engineer',
  budget: { timeMs: 60_000, tokens: 1000, usd: 1 },
  maxRetries: 1,
};

const valid = {
  title: 'Handle empty input in the parser',
  description: 'parse("") throws',
  writes: ['src/parser'],
  acceptance: ['parse("") returns []'],
};

describe('parseFollowUps', () => {
  it('completes a minimal proposal into a valid TaskDraft', () => {
    const { followUps, problems } = parseFollowUps(JSON.stringify([valid]), defaults);
    expect(problems).toEqual([]);
    expect(followUps).toEqual([
      {
        id: 'handle-empty-input-in-the-parser',
        title: valid.title,
        description: valid.description,
        ownerRole: 'engineer',
        dependsOn: ['fix-parser'],
        reads: [],
        writes: ['src/parser'],
        risk: 'medium',
        acceptance: valid.acceptance,
        budget: defaults.budget,
        maxRetries: 1,
      },
    ]);
    expect(() => taskDraftSchema.parse(followUps[0])).not.toThrow();
  });

  it('drops invalid entries with a reason each and keeps the rest', () => {
    const text = JSON.stringify([
      valid,
      { description: 'no title', writes: ['a'] },
      { title: 'no writes' },
      { title: 'bad id', id: 'Bad ID!', writes: ['a'] },
      'not an object',
      { title: 'bad risk', writes: ['a'], risk: 'extreme' },
    ]);
    const { followUps, problems } = parseFollowUps(text, defaults);
    expect(followUps.map((f) => f.title)).toEqual([valid.title]);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^follow-up #2 dropped: title/);
    expect(problems[1]).toMatch(/^follow-up #3 dropped: writes/);
    expect(problems[2]).toMatch(/^follow-up #4 dropped: id must be lowercase/);
    expect(problems[3]).toMatch(/^follow-up #5 dropped/);
    expect(problems[4]).toMatch(/^follow-up #6 dropped: risk/);
  });

  it('ignores a budget or retry count the agent tries to grant itself', () => {
    const text = JSON.stringify([
      { ...valid, budget: { timeMs: 1e12, tokens: null, usd: null }, maxRetries: 10 },
    ]);
    const [draft] = parseFollowUps(text, defaults).followUps;
    expect(draft?.budget).toEqual(defaults.budget);
    expect(draft?.maxRetries).toBe(1);
  });

  it('makes generated ids unique and refuses duplicate explicit ids', () => {
    const text = JSON.stringify([
      valid,
      valid,
      { ...valid, id: 'x' },
      { ...valid, id: 'x' },
      { ...valid, title: '!!!' },
    ]);
    const { followUps, problems } = parseFollowUps(text, defaults);
    expect(followUps.map((f) => f.id)).toEqual([
      'handle-empty-input-in-the-parser',
      'handle-empty-input-in-the-parser-2',
      'x',
      'fix-parser-follow-up-5',
    ]);
    expect(problems).toEqual([expect.stringMatching(/#4 dropped: id "x" is used by an earlier follow-up/)]);
  });

  it('keeps explicit dependencies, roles and risk', () => {
    const text = JSON.stringify([
      { ...valid, dependsOn: [], ownerRole: 'tester', risk: 'low', reads: ['docs'] },
    ]);
    const [draft] = parseFollowUps(text, defaults).followUps;
    expect(draft).toMatchObject({ dependsOn: [], ownerRole: 'tester', risk: 'low', reads: ['docs'] });
  });

  it('reports a file that is not JSON or not an array', () => {
    expect(parseFollowUps('{oops', defaults).problems[0]).toMatch(/is not valid JSON/);
    expect(parseFollowUps('{"title":"x"}', defaults).problems[0]).toMatch(/must hold a JSON array/);
  });

  it('bounds the number of proposals', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...valid, id: `f-${i}` }));
    const { followUps, problems } = parseFollowUps(JSON.stringify(many), defaults);
    expect(followUps).toHaveLength(20);
    expect(problems).toEqual(['only the first 20 follow-ups are considered; 5 dropped']);
  });
});

describe('readFollowUps', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'omk-followups-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('returns nothing when the agent proposed nothing', async () => {
    expect(await readFollowUps(cwd, defaults)).toEqual({ followUps: [], problems: [] });
  });

  it('reads the file, then removes it and the .omk directory it created', async () => {
    await mkdir(join(cwd, '.omk'));
    await writeFile(join(cwd, FOLLOW_UPS_FILE), JSON.stringify([valid, { title: 'no writes' }]));
    const read = await readFollowUps(cwd, defaults);
    expect(read.followUps).toHaveLength(1);
    expect(read.problems).toHaveLength(1);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('keeps the repository config next to it', async () => {
    await mkdir(join(cwd, '.omk'));
    await writeFile(join(cwd, '.omk', 'config.yml'), 'agents: {}\n');
    await writeFile(join(cwd, FOLLOW_UPS_FILE), '[]');
    await readFollowUps(cwd, defaults);
    expect(await readdir(join(cwd, '.omk'))).toEqual(['config.yml']);
  });

  it('removes an invalid file too, so it is never committed', async () => {
    await mkdir(join(cwd, '.omk'));
    await writeFile(join(cwd, FOLLOW_UPS_FILE), 'not json');
    const read = await readFollowUps(cwd, defaults);
    expect(read.problems[0]).toMatch(/not valid JSON/);
    await expect(stat(join(cwd, FOLLOW_UPS_FILE))).rejects.toThrow();
  });

  it('does not follow a symlink out of the workspace', async () => {
    const outside = join(cwd, 'outside.json');
    await writeFile(outside, JSON.stringify([valid]));
    await mkdir(join(cwd, '.omk'));
    await symlink(outside, join(cwd, FOLLOW_UPS_FILE));
    const read = await readFollowUps(cwd, defaults);
    expect(read.followUps).toEqual([]);
    expect(read.problems[0]).toMatch(/not a regular file/);
    expect((await stat(outside)).isFile()).toBe(true);
    await expect(stat(join(cwd, FOLLOW_UPS_FILE))).rejects.toThrow();
  });

  it('ignores an oversized file', async () => {
    await mkdir(join(cwd, '.omk'));
    await writeFile(join(cwd, FOLLOW_UPS_FILE), `[${' '.repeat(300 * 1024)}]`);
    const read = await readFollowUps(cwd, defaults);
    expect(read.problems[0]).toMatch(/larger than/);
  });
});
