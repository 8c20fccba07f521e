import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import { listCommitted, readCommitted } from './committed-files.js';
import { gitRepo } from './repo.js';

let repo: TempRepo;
let head: string;

const PYPROJECT = '[project]\nname = "calc"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n';
const PACKAGE = '{ "name": "calc", "scripts": { "test": "node --test" } }\n';

beforeEach(async () => {
  repo = await createTempRepo({
    'pyproject.toml': PYPROJECT,
    'package.json': PACKAGE,
    Makefile: 'test:\n\tpytest\n',
    'tests/test_calc.py': 'def test_one():\n    assert True\n',
  });
  head = git(repo.root, 'rev-parse', 'HEAD');
});

afterEach(async () => {
  await repo.cleanup();
});

describe('readCommitted', () => {
  it('reads the commit, whatever the checkout has made of it since', async () => {
    await writeFile(join(repo.root, 'pyproject.toml'), `${PYPROJECT}\n[tool.ruff]\nline-length = 100\n`);
    await rm(join(repo.root, 'package.json'));
    await writeFile(join(repo.root, 'mypy.ini'), '[mypy]\n');
    git(repo.root, 'add', 'mypy.ini');

    const read = await readCommitted(
      repo.root,
      head,
      ['pyproject.toml', 'package.json', 'mypy.ini', 'Makefile', 'setup.cfg'],
      1024,
    );
    expect(read.texts.get('pyproject.toml')).toBe(PYPROJECT);
    expect(read.texts.get('package.json')).toBe(PACKAGE);
    expect(read.texts.get('Makefile')).toBe('test:\n\tpytest\n');
    expect(read.texts.get('mypy.ini')).toBeNull();
    expect(read.texts.get('setup.cfg')).toBeNull();
    expect(read.changed).toEqual(['mypy.ini', 'package.json', 'pyproject.toml']);
    // The listing is the commit's: the staged mypy.ini is not in it, the deleted package.json is.
    expect(read.files).toEqual(['Makefile', 'package.json', 'pyproject.toml', 'tests/test_calc.py']);
  });

  it('gives no text for a file over the limit, nor through a symlink out of the checkout', async () => {
    await symlink('/etc/hostname', join(repo.root, 'setup.cfg'));
    await symlink('pyproject.toml', join(repo.root, 'mypy.ini'));
    git(repo.root, 'add', 'setup.cfg', 'mypy.ini');
    git(repo.root, 'commit', '-q', '-m', 'links');
    const linked = git(repo.root, 'rev-parse', 'HEAD');
    const small = await readCommitted(repo.root, linked, ['pyproject.toml'], 10);
    expect(small.texts.get('pyproject.toml')).toBeNull();
    expect(small.changed).toEqual([]);
    const links = await readCommitted(repo.root, linked, ['setup.cfg', 'mypy.ini'], 1024);
    expect(links.texts.get('setup.cfg')).toBeNull();
    // A link inside the checkout is read where it points, as in a worktree of the commit.
    expect(links.texts.get('mypy.ini')).toBe(PYPROJECT);
    expect(links.changed).toEqual([]);
  });

  it('refuses what is not a full commit id', async () => {
    await expect(listCommitted(repo.root, 'HEAD')).rejects.toBeInstanceOf(GitError);
  });
});

describe('inspect with changes', () => {
  it('names the edited, staged and untracked files, and the branch as symbolic-ref says it', async () => {
    const clean = await gitRepo.inspect(repo.root, { changes: true });
    expect(clean.changes).toEqual([]);
    expect(clean.branch).toBe((await gitRepo.inspect(repo.root)).branch);
    expect(clean.headSha).toBe(head);

    await writeFile(join(repo.root, 'pyproject.toml'), `${PYPROJECT}\n[tool.ruff]\n`);
    await writeFile(join(repo.root, 'notes with space.txt'), 'x\n');
    await writeFile(join(repo.root, 'mypy.ini'), '[mypy]\n');
    git(repo.root, 'add', 'mypy.ini');
    const dirty = await gitRepo.inspect(repo.root, { changes: true });
    expect([...(dirty.changes ?? [])].sort()).toEqual(['mypy.ini', 'notes with space.txt', 'pyproject.toml']);

    git(repo.root, 'checkout', '-q', '--detach');
    expect((await gitRepo.inspect(repo.root, { changes: true })).branch).toBeNull();
  });
});
