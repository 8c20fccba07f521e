import { describe, expect, it } from 'vitest';
import {
  isWithin,
  normalizePathList,
  normalizeRepoPath,
  pathsOverlap,
  quoteUntrusted,
  showUntrusted,
} from './paths.js';
import { isProtectedPath, PROTECTED_PATTERNS, protectedWriteViolation } from './protected.js';

function accepted(raw: string): string {
  const check = normalizeRepoPath(raw);
  if (!check.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted, got: ${check.reason}`);
  return check.path;
}

function refusal(raw: string): string {
  const check = normalizeRepoPath(raw);
  if (check.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused, got path ${check.path}`);
  return check.reason;
}

describe('normalizeRepoPath: accepted paths', () => {
  it.each([
    ['.', '.'],
    ['', '.'],
    ['./', '.'],
    ['.//', '.'],
    ['./.', '.'],
    ['src', 'src'],
    ['src/', 'src'],
    ['./src/index.ts', 'src/index.ts'],
    ['src//runtime///graph', 'src/runtime/graph'],
    ['src/./runtime/./graph/', 'src/runtime/graph'],
    ['a/..', '.'],
    ['a/b/..', 'a'],
    ['a/b/../c', 'a/c'],
    ['a/../b', 'b'],
    ['.github/workflows/ci.yml', '.github/workflows/ci.yml'],
    ['.gitignore', '.gitignore'],
    ['.gitattributes', '.gitattributes'],
    ['docs/.github-notes', 'docs/.github-notes'],
    ['my.git/config', 'my.git/config'],
    ['git/hooks', 'git/hooks'],
    ['pages/[id].tsx', 'pages/[id].tsx'],
    ['a b/c d.txt', 'a b/c d.txt'],
    ['a/~/b', 'a/~/b'],
    ['backup~', 'backup~'],
    ['100%/x', '100%/x'],
    ['docs/%20space', 'docs/%20space'],
    ['-rf', '-rf'],
    ['.env', '.env'],
  ])('%j -> %j', (raw, expected) => {
    expect(accepted(raw)).toBe(expected);
  });

  it('composes Unicode to NFC so macOS (NFD) and Linux spellings are one path', () => {
    const nfd = 'caf\u0065\u0301/menu.md';
    expect(accepted(nfd)).toBe('caf\u00e9/menu.md');
    expect(accepted(nfd)).toBe(accepted('caf\u00e9/menu.md'));
  });

  it('accepts ordinary non-ASCII names', () => {
    expect(accepted('docs/日本語/説明.md')).toBe('docs/日本語/説明.md');
  });
});

describe('normalizeRepoPath: hostile paths', () => {
  it.each([
    // absolute, drive and network paths
    ['/etc/passwd', 'is absolute'],
    ['/', 'is absolute'],
    ['//host/x', 'is absolute'],
    ['C:\\x', 'drive letter'],
    ['C:/x', 'drive letter'],
    ['c:x', 'drive letter'],
    ['\\\\server\\share', 'UNC'],
    ['\\x', 'UNC'],
    // traversal
    ['..', 'climbs out of the repository'],
    ['../x', 'climbs out of the repository'],
    ['a/../../b', 'climbs out of the repository'],
    ['a/../..', 'climbs out of the repository'],
    ['./../x', 'climbs out of the repository'],
    ['a\\..\\..\\x', 'backslash'],
    ['a/b\\c', 'backslash'],
    ['%2e%2e/etc', 'percent-encoded'],
    ['%2E%2E%2Fetc', 'percent-encoded'],
    ['a%2fb', 'percent-encoded'],
    ['a%5C..', 'percent-encoded'],
    ['%252e%252e/x', 'percent-encoded'],
    ['a%00b', 'percent-encoded'],
    // .git in every spelling a filesystem may honour
    ['.git', '.git directory'],
    ['.GIT', '.git directory'],
    ['.Git/config', '.git directory'],
    ['sub/.git/config', '.git directory'],
    ['sub/.git', '.git directory'],
    ['.git.', '.git directory'],
    ['.git ', 'whitespace'],
    ['.git /hooks', '.git directory'],
    ['a/.git. . ./x', '.git directory'],
    ['git~1', '.git directory'],
    ['GIT~1/config', '.git directory'],
    ['sub/Git~2', '.git directory'],
    ['GI7EBA~1', '.git directory'],
    ['.g\u0131t/config', '.git directory'],
    ['.git/../src', '.git directory'],
    ['.git::$INDEX_ALLOCATION/x', '":"'],
    ['.g\u200cit', 'U+200C'],
    // control characters
    ['a\u0000b', 'U+0000'],
    ['a\nb', 'U+000A'],
    ['a\tb', 'U+0009'],
    ['a\u001bb', 'U+001B'],
    ['a\u007fb', 'U+007F'],
    ['a\u0085b', 'U+0085'],
    // whitespace around the path
    [' src', 'whitespace'],
    ['src ', 'whitespace'],
    ['\tsrc', 'whitespace'],
    ['   ', 'whitespace'],
    // invisible and bidi characters
    ['a\u200bb', 'U+200B'],
    ['a\u200fb', 'U+200F'],
    ['a\u202ab', 'U+202A'],
    ['a\u202eb.txt', 'U+202E'],
    ['a\u2066b', 'U+2066'],
    ['a\u2069b', 'U+2069'],
    ['\ufeffsrc', 'whitespace'],
    ['a\ufeffb', 'U+FEFF'],
    ['a\u00a0b', 'U+00A0'],
    ['a\u2028b', 'U+2028'],
    ['a\u00adb', 'U+00AD'],
    ['a\u3164b', 'U+3164'],
    ['a\ufe0fb', 'U+FE0F'],
    ['a\ud800b', 'U+D800'],
    // look-alikes of path syntax
    ['\uff0e\uff0e/x', 'U+FF0E'],
    ['a\uff0fb', 'U+FF0F'],
    ['a\uff3cb', 'U+FF3C'],
    ['\u2025/x', 'U+2025'],
    // home expansion, streams, globs
    ['~', 'home directory'],
    ['~/x', 'home directory'],
    ['~root/.ssh', 'home directory'],
    ['src/a:b', '":"'],
    ['a:b', 'drive letter'],
    ['file.txt:stream', '":"'],
    [':(top)src', '":"'],
    ['src/*.ts', 'glob'],
    ['src/**', 'glob'],
    ['file?.ts', 'glob'],
    // Windows drops trailing dots and spaces
    ['a./b', 'ending in a dot or space'],
    ['a /b', 'ending in a dot or space'],
    ['...', 'ending in a dot or space'],
    ['.. /x', 'ending in a dot or space'],
  ])('%j is refused (%s)', (raw, fragment) => {
    expect(refusal(raw)).toContain(fragment);
  });

  it('refuses over-long paths and names', () => {
    expect(refusal('a/'.repeat(2100))).toContain('longer than 4096 characters');
    expect(refusal(`dir/${'x'.repeat(256)}`)).toContain('longer than 255 bytes');
    expect(accepted(`dir/${'x'.repeat(255)}`)).toBe(`dir/${'x'.repeat(255)}`);
    // 128 two-byte characters are 256 bytes.
    expect(refusal('é'.repeat(128))).toContain('longer than 255 bytes');
  });

  it('refuses a value that is not a string without throwing', () => {
    expect(normalizeRepoPath(42 as unknown as string)).toEqual({ ok: false, reason: 'is not a string' });
  });
});

describe('pathsOverlap and isWithin', () => {
  it.each([
    ['src/a.ts', 'src/a.ts', true],
    ['src', 'src/a.ts', true],
    ['src/a.ts', 'src', true],
    ['.', 'anything/at/all', true],
    ['deep/file', '.', true],
    ['.', '.', true],
    ['src/a.ts', 'src/b.ts', false],
    ['src', 'srcx', false],
    ['src/a', 'src/ab', false],
    ['lib', 'src/lib', false],
    ['SRC/A.ts', 'src/a.ts', true],
  ])('%j vs %j -> %s', (a, b, expected) => {
    expect(pathsOverlap(a, b)).toBe(expected);
    expect(pathsOverlap(b, a)).toBe(expected);
  });

  it('isWithin is directional', () => {
    expect(isWithin('src/a.ts', 'src')).toBe(true);
    expect(isWithin('src', 'src/a.ts')).toBe(false);
    expect(isWithin('.', 'src')).toBe(false);
    expect(isWithin('src', '.')).toBe(true);
  });
});

describe('normalizePathList', () => {
  it('normalizes, deduplicates and sorts, and reports every refused entry', () => {
    const problems: string[] = [];
    const paths = normalizePathList('write', ['src/b.ts', './src/a.ts', 'src//b.ts', '../x', 'b'], problems);
    expect(paths).toEqual(['b', 'src/a.ts', 'src/b.ts']);
    expect(problems).toEqual(['write path "../x" climbs out of the repository with ".."']);
  });
});

describe('quoteUntrusted', () => {
  it('escapes invisible characters, quotes and backslashes, and truncates', () => {
    expect(quoteUntrusted('a\u202eb')).toBe('"a\\u{202E}b"');
    expect(quoteUntrusted('a\u0000"\\')).toBe('"a\\u{0}\\"\\\\"');
    expect(quoteUntrusted('x'.repeat(500))).toBe(`"${'x'.repeat(120)}…"`);
  });
});

describe('showUntrusted', () => {
  it('keeps quotes a message already holds, escapes invisible characters, and truncates at the limit', () => {
    expect(showUntrusted('s1.writes: "../x" climbs out', 400)).toBe('s1.writes: "../x" climbs out');
    expect(showUntrusted('a\u202eb\u0000', 400)).toBe('a\\u{202E}b\\u{0}');
    expect(showUntrusted('x'.repeat(500), 400)).toBe(`${'x'.repeat(400)}…`);
  });
});

describe('protected paths', () => {
  it.each([
    '.github/workflows',
    '.github/workflows/ci.yml',
    '.GitHub/Workflows/release.yaml',
    '.github/actions/setup/action.yml',
    'CODEOWNERS',
    '.github/CODEOWNERS',
    'docs/CODEOWNERS',
    '.gitmodules',
    '.env',
    'services/api/.env',
    '.env.local',
    'config/.env.production',
    '.envrc',
    'certs/server.pem',
    'tls/server.KEY',
    'keys/store.p12',
    'id_rsa',
    'home/.ssh/id_ed25519.pub',
    '.ssh/config',
    '.npmrc',
    'packages/x/.npmrc',
    '.netrc',
    '_netrc',
    '.pypirc',
    '.git-credentials',
    'secrets.key/inner.txt',
  ])('%j is protected', (path) => {
    expect(isProtectedPath(path)).toBe(true);
  });

  it.each([
    '.',
    '.github',
    '.github/ISSUE_TEMPLATE/bug.md',
    'src/workflows/ci.yml',
    'sub/.github/workflows/ci.yml',
    'src/env.ts',
    '.environment',
    'docs/keys.md',
    'src/monkey.ts',
    'src/CODEOWNERS',
    'README.md',
  ])('%j is not protected', (path) => {
    expect(isProtectedPath(path)).toBe(false);
  });

  it('lists human-readable patterns', () => {
    expect(PROTECTED_PATTERNS).toContain('.github/workflows/');
    expect(PROTECTED_PATTERNS).toContain('**/.env.*');
    expect(PROTECTED_PATTERNS).toContain('**/*.pem');
    expect(PROTECTED_PATTERNS).toContain('**/id_rsa*');
  });

  it('a covering write implicitly excludes protected paths', () => {
    expect(protectedWriteViolation('.', [])).toBeNull();
    expect(protectedWriteViolation('.github', [])).toBeNull();
    expect(protectedWriteViolation('src', [])).toBeNull();
  });

  it('a write that targets a protected path is a violation with an actionable reason', () => {
    const reason = protectedWriteViolation('.github/workflows/ci.yml', []);
    expect(reason).toContain('".github/workflows/ci.yml" is protected');
    expect(reason).toContain('GitHub Actions workflows');
    expect(reason).toContain('only a goal created to change its CI workflows may write it');
    expect(protectedWriteViolation('config/.env', [])).toContain('environment files hold secrets');
    expect(protectedWriteViolation('config/.env', [])).toContain('no task may write it, whatever the goal');
    expect(protectedWriteViolation('config/.env', ['.github/workflows'])).not.toBeNull();
  });

  it('an allowed protected path permits writes at or below it only', () => {
    const allowed = ['.github/workflows'];
    expect(protectedWriteViolation('.github/workflows', allowed)).toBeNull();
    expect(protectedWriteViolation('.github/workflows/ci.yml', allowed)).toBeNull();
    expect(protectedWriteViolation('.github/actions/x', allowed)).not.toBeNull();
    expect(protectedWriteViolation('.github/workflows', ['.github/workflows/ci.yml'])).not.toBeNull();
    expect(protectedWriteViolation('.env', ['./.env'])).toBeNull();
  });

  it('allowing an unprotected or unsafe path unlocks nothing', () => {
    expect(protectedWriteViolation('.github/workflows/ci.yml', ['.'])).not.toBeNull();
    expect(protectedWriteViolation('.github/workflows/ci.yml', ['.github'])).not.toBeNull();
    expect(protectedWriteViolation('.env', ['../.env', '/.env'])).not.toBeNull();
  });
});
