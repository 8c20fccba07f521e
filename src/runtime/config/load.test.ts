import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  CONFIG_EXAMPLES,
  configPathProblem,
  exampleFor,
  loadConfig,
  loadNamedConfig,
  parseConfig,
} from './load.js';
import { configSchema } from './schema.js';

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'omk-config-'));
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function writeConfig(text: string, name = 'config.yml'): Promise<string> {
  await mkdir(join(repo, '.omk'), { recursive: true });
  const path = join(repo, '.omk', name);
  await writeFile(path, text);
  return path;
}

/** The ConfigError thrown by loading the repository's config. */
async function loadError(): Promise<ConfigError> {
  const error = await loadConfig(repo).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('uses defaults when there is no config file', async () => {
    const loaded = await loadConfig(repo);
    expect(loaded.path).toBeNull();
    expect(loaded.config).toEqual(configSchema.parse({}));
  });

  it('reads logs.maxBytes within its bounds and refuses one outside them, saying the bound', async () => {
    expect((await loadConfig(repo)).config.logs.maxBytes).toBeUndefined();
    await writeConfig('version: 1\nlogs:\n  maxBytes: 65536\n');
    expect((await loadConfig(repo)).config.logs.maxBytes).toBe(65_536);
    await writeConfig('version: 1\nlogs:\n  maxBytes: 100\n');
    expect((await loadError()).message).toMatch(/at least 1024 bytes\n.*at logs\.maxBytes/);
    await writeConfig('version: 1\nlogs:\n  maxBytes: 2147483648\n');
    expect((await loadError()).message).toMatch(/at most 1073741824 bytes \(1 GiB\)\n.*at logs\.maxBytes/);
    await writeConfig('version: 1\nlogs:\n  maxBytes: 1.5\n');
    expect((await loadError()).message).toMatch(/whole number of bytes\n.*at logs\.maxBytes/);
  });

  it('reads gates and agents from .omk/config.yml', async () => {
    const path = await writeConfig(CONFIG_EXAMPLES[''] ?? '');
    const { config, path: found } = await loadConfig(repo);
    expect(found).toBe(path);
    expect(config.gates).toEqual({
      detect: true,
      timeout: 600_000,
      home: 'own',
      list: [
        { name: 'test', kind: 'test', run: ['npm', 'test'], timeout: 300_000 },
        { name: 'lint', required: false },
      ],
    });
    expect(config.agents.default).toBe('claude');
  });

  it('also finds .omk/config.yaml, and treats an empty file as defaults', async () => {
    const path = await writeConfig('# nothing yet\n', 'config.yaml');
    expect(await loadConfig(repo)).toEqual({ config: configSchema.parse({}), path, text: '# nothing yet\n' });
  });

  it('names the file, line and a valid example for a YAML syntax error', async () => {
    const path = await writeConfig('version: 1\ngates:\n  list:\n    - name: test\n   run: [npm\n');
    const error = await loadError();
    expect(error.message).toContain(`${path} is not valid YAML`);
    expect(error.message).toMatch(/line \d+/);
    expect(error.hint).toContain('version: 1');
  });

  it('refuses duplicate keys rather than silently keeping one', async () => {
    await writeConfig('version: 1\ngates:\n  detect: true\n  detect: false\n');
    expect((await loadError()).message).toContain('not valid YAML');
  });

  it('refuses a string `run`, showing the argv array to write instead', async () => {
    const path = await writeConfig(
      'version: 1\ngates:\n  list:\n    - name: test\n      run: npm test -- --ci\n',
    );
    const error = await loadError();
    expect(error.message).toContain(`${path} is invalid`);
    expect(error.message).toContain('gates.list[0].run');
    expect(error.message).toContain('not a string (omk never runs a shell)');
    expect(error.message).toContain('run: ["npm", "test", "--", "--ci"]');
    expect(error.hint).toContain('run: ["npm", "test"]');
    expect(error.cause).toBeDefined();
  });

  it('refuses an unknown key, naming it and where it is', async () => {
    await writeConfig('version: 1\ngates:\n  list:\n    - name: test\n      command: ["npm", "test"]\n');
    const error = await loadError();
    expect(error.message).toContain('Unrecognized key: "command"');
    expect(error.message).toContain('gates.list[0]');
    expect(error.hint).toContain('- name: e2e');
  });

  it('refuses unknown keys at the top level and in agents', async () => {
    await writeConfig('version: 1\ngate: {}\nagents:\n  defualt: claude\n');
    const error = await loadError();
    expect(error.message).toContain('Unrecognized key: "gate"');
    expect(error.message).toContain('Unrecognized key: "defualt"');
  });

  it('explains a bad duration with the accepted form', async () => {
    await writeConfig('version: 1\ngates:\n  timeout: 10 minutes\n');
    const error = await loadError();
    expect(error.message).toContain('gates.timeout');
    expect(error.message).toContain('90s, 10m or 1h30m');
    expect(error.hint).toContain('timeout: 10m');
  });

  it('says to upgrade omk for a config from the future', async () => {
    const path = await writeConfig('version: 2\ngates:\n  something-new: true\n');
    const error = await loadError();
    expect(error.message).toContain(`${path}: version 2 is newer than this omk understands`);
    expect(error.hint).toContain('Upgrade omk');
  });

  it('refuses a version that is not a known number', async () => {
    await writeConfig('version: "one"\n');
    expect((await loadError()).message).toContain('version');
  });

  it('refuses a config file that is far too big', async () => {
    await writeConfig(`version: 1\n${'#'.repeat(300 * 1024)}\n`);
    expect((await loadError()).message).toContain('at most 256 KB');
  });

  it('refuses alias expansion bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      bomb.push(
        `l${level}: &l${level} [${Array(10)
          .fill(level === 1 ? '*a' : `*l${level - 1}`)
          .join(', ')}]`,
      );
    }
    expect(() => parseConfig(bomb.join('\n'), 'bomb.yml')).toThrow(/bomb.yml could not be read as data/);
  });
});

describe('config error examples', () => {
  it.each(Object.entries(CONFIG_EXAMPLES))('the example for %j is itself a valid config', (_key, example) => {
    expect(() => parseConfig(example, 'example.yml')).not.toThrow();
  });

  it('picks the example for the deepest known part of the failing path', () => {
    expect(exampleFor(['gates', 'list', 3, 'run', 0])).toBe(CONFIG_EXAMPLES['gates.list.run']);
    expect(exampleFor(['gates', 'list', 3, 'kind'])).toBe(CONFIG_EXAMPLES['gates.list']);
    expect(exampleFor(['agents', 'custom', 'x'])).toBe(CONFIG_EXAMPLES.agents);
    expect(exampleFor([])).toBe(CONFIG_EXAMPLES['']);
  });
});

describe('loadNamedConfig', () => {
  it('reads a config a host names, relative to the repository, naming it as given', async () => {
    await mkdir(join(repo, '.github'), { recursive: true });
    await writeFile(join(repo, '.github', 'omk.yml'), 'version: 1\n');
    const named = await loadNamedConfig(repo, '.github/omk.yml');
    expect(named).toEqual({
      ok: true,
      loaded: { config: configSchema.parse({}), path: join(repo, '.github', 'omk.yml') },
    });
  });

  it('says why a named config cannot be read: missing, not a file, or over 256 KB', async () => {
    expect(await loadNamedConfig(repo, 'nope.yml')).toEqual({
      ok: false,
      problem: 'missing',
      path: join(repo, 'nope.yml'),
    });
    await mkdir(join(repo, 'dir.yml'));
    expect(await loadNamedConfig(repo, 'dir.yml')).toMatchObject({ ok: false, problem: 'not_a_file' });
    await writeFile(join(repo, 'big.yml'), `# ${'x'.repeat(256 * 1024)}\n`);
    expect(await loadNamedConfig(repo, 'big.yml')).toMatchObject({ ok: false, problem: 'too_large' });
  });

  it('reads nothing outside the repository: absolute paths, .. and symbolic links that lead out', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'omk-config-outside-'));
    try {
      await writeFile(join(outside, 'secret.yml'), 'version: 1\n');
      await symlink(join(outside, 'secret.yml'), join(repo, 'link.yml'));
      for (const path of [join(outside, 'secret.yml'), '../secret.yml', 'link.yml', 'a/../../secret.yml']) {
        expect(await loadNamedConfig(repo, path), path).toMatchObject({ ok: false, problem: 'outside' });
      }
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('configPathProblem', () => {
  it('accepts a relative path inside the repository', () => {
    expect(configPathProblem('.github/omk.yml')).toBeNull();
    expect(configPathProblem('a/../omk.yml')).toBeNull();
  });

  it('refuses absolute paths, paths that lead out, and hidden characters', () => {
    expect(configPathProblem('/etc/passwd')).toMatch(/absolute/);
    expect(configPathProblem('../..')).toMatch(/outside/);
    expect(configPathProblem('..')).toMatch(/outside/);
    expect(configPathProblem('omk\u202e.yml')).toMatch(/invisible/);
    expect(configPathProblem('omk.yml\n')).toMatch(/control/);
    expect(configPathProblem('')).toMatch(/empty/);
  });
});
