import { describe, expect, it } from 'vitest';
import type { Finding } from '../proof/schema.js';
import { createTokenTest } from '../secrets/scrub.js';
import { controllerReview } from './controller.js';
import { hasBlocking } from './input.js';
import { securityReview } from './security.js';
import { addedFile, changed, fileDiff, reviewInput } from './test-fixtures.js';

function dependencyNames(diff: string, path: string): string[] {
  return securityReview(reviewInput({ diff, changedFiles: changed(path) }))
    .filter((entry) => entry.message.startsWith('New dependency'))
    .map((entry) => /^New dependency "([^"]+)"/.exec(entry.message)?.[1] ?? '?');
}

describe('securityReview: new dependencies', () => {
  it('warns per dependency added to package.json, naming it, and ignores bumps and scripts', () => {
    const diff = fileDiff('package.json', [
      '   "scripts": {',
      '-    "build": "tsc"',
      '+    "build": "tsc -p ."',
      '   },',
      '   "dependencies": {',
      '-    "zod": "^4.0.0",',
      '+    "zod": "^4.1.0",',
      '+    "left-pad": "^1.3.0",',
      '+    "@scope/util": "workspace:*"',
      '   },',
      '   "devDependencies": {',
      '+    "vitest": "4.1.12",',
    ]);
    expect(dependencyNames(diff, 'package.json')).toEqual(['@scope/util', 'left-pad', 'vitest']);
    const [first] = securityReview(reviewInput({ diff, changedFiles: changed('package.json') }));
    expect(first).toEqual({
      review: 'security',
      severity: 'warning',
      message:
        'New dependency "@scope/util" in "package.json" without rationale; say why it is needed and that it is maintained and trusted.',
      paths: ['package.json'],
    });
  });

  it('recognizes entries of a hunk that starts inside the dependencies object, but not package fields', () => {
    const diff = fileDiff('web/package.json', [
      '     "a": "^1.0.0",',
      '+    "b": "~2.0.0",',
      '+    "main": "dist/index.js",',
    ]);
    expect(dependencyNames(diff, 'web/package.json')).toEqual(['b']);
  });

  it('finds requirements.txt additions by normalized name, skipping options and comments', () => {
    const diff = fileDiff('requirements-dev.txt', [
      ' flask==3.0.0',
      '-Requests==2.31',
      '+requests==2.32  # bump',
      '+Django_REST.framework>=3.15',
      '+-r base.txt',
      '+# pinned for CI',
      '+uvicorn[standard] ; python_version >= "3.9"',
    ]);
    expect(dependencyNames(diff, 'requirements-dev.txt')).toEqual(['django-rest-framework', 'uvicorn']);
  });

  it('finds go.mod requires, in blocks and single lines, but not replace directives', () => {
    const diff = fileDiff('go.mod', [
      ' require (',
      '   github.com/pkg/errors v0.9.1',
      '+  golang.org/x/sync v0.7.0',
      '+  github.com/google/uuid v1.6.0 // indirect',
      ' )',
      '+require example.com/single v1.0.0',
      '+replace example.com/old v1.0.0 => example.com/new v1.1.0',
    ]);
    expect(dependencyNames(diff, 'go.mod')).toEqual([
      'example.com/single',
      'github.com/google/uuid',
      'golang.org/x/sync',
    ]);
  });

  it('finds Cargo.toml dependencies in every dependency table form', () => {
    const diff = addedFile('Cargo.toml', [
      '[package]',
      'name = "demo"',
      'version = "0.1.0"',
      '[dependencies]',
      'serde = { version = "1", features = ["derive"] }',
      'tokio.workspace = true',
      "[target.'cfg(unix)'.dev-dependencies]",
      'nix = "0.29"',
      '[dependencies.rand]',
      'version = "0.8"',
      '[features]',
      'default = ["std"]',
    ]);
    expect(dependencyNames(diff, 'Cargo.toml')).toEqual(['nix', 'rand', 'serde', 'tokio']);
  });

  it('finds pyproject dependencies in PEP 621 arrays and Poetry tables', () => {
    const diff = addedFile('pyproject.toml', [
      '[project]',
      'name = "demo"',
      'classifiers = ["License :: OSI Approved"]',
      'dependencies = [',
      '  "httpx>=0.27",',
      '  "rich[jupyter]",',
      ']',
      '[project.optional-dependencies]',
      'test = ["pytest>=8", "hypothesis"]',
      '[tool.poetry.group.dev.dependencies]',
      'python = "^3.11"',
      'Black = "^24"',
    ]);
    expect(dependencyNames(diff, 'pyproject.toml')).toEqual([
      'black',
      'httpx',
      'hypothesis',
      'pytest',
      'rich',
    ]);
  });
});

describe('securityReview: binaries', () => {
  function binaryFindings(input: Parameters<typeof reviewInput>[0]): [string, string[]][] {
    return securityReview(reviewInput(input)).map((entry) => [entry.severity, entry.paths]);
  }

  it('blocks executables and libraries, warns on archives and opaque binaries, notes images', () => {
    const stat = (path: string) => ({ path, additions: 0, deletions: 0 });
    const files = [
      'bin/tool.exe',
      'lib/libx.so.1.2',
      'vendor/pkg.zip',
      'assets/logo.png',
      'data/blob',
      'src/empty.ts',
    ];
    expect(binaryFindings({ changedFiles: files.map(stat), binaryPaths: ['data/blob'] })).toEqual([
      ['blocking', ['bin/tool.exe', 'lib/libx.so.1.2']],
      ['warning', ['data/blob']],
      ['warning', ['vendor/pkg.zip']],
      ['info', ['assets/logo.png']],
    ]);
  });

  it('uses the diff: binary markers, the executable bit, and deletions', () => {
    const header = (path: string, mode: string, from: string) =>
      `diff --git a/${path} b/${path}\n${mode}\nindex 0000000..1111111\nBinary files ${from} and b/${path} differ\n`;
    const diff =
      header('tools/run', 'new file mode 100755', '/dev/null') +
      header('model.weights', 'new file mode 100644', '/dev/null') +
      `diff --git a/old.dll b/old.dll\ndeleted file mode 100644\nindex 1111111..0000000\nBinary files a/old.dll and /dev/null differ\n`;
    const stat = (path: string) => ({ path, additions: 0, deletions: 0 });
    expect(
      binaryFindings({ diff, changedFiles: ['tools/run', 'model.weights', 'old.dll'].map(stat) }),
    ).toEqual([
      ['blocking', ['tools/run']],
      ['warning', ['model.weights']],
    ]);
  });
});

describe('securityReview: workflows and truncation', () => {
  const workflow = changed('.github/workflows/ci.yml');

  it('blocks a workflow edit the plan does not allow', () => {
    const findings = securityReview(reviewInput({ changedFiles: workflow }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'blocking', paths: ['.github/workflows/ci.yml'] });
    expect(findings[0]?.message).toMatch(/^Workflow change in "\.github\/workflows\/ci\.yml": workflows run/);
  });

  it('records an allowed workflow edit as info, in both reviews', () => {
    const input = reviewInput({ changedFiles: workflow, allowedProtectedPaths: ['.github/workflows'] });
    expect(securityReview(input).map((entry) => entry.severity)).toEqual(['info']);
    expect(hasBlocking(controllerReview(input))).toBe(false);
  });

  it('warns when the diff was truncated, listing the files it never showed', () => {
    const diff = `${addedFile('a.txt', ['x'])}[omk: diff truncated: 40 of 9000 bytes shown; full diff: git diff a b]\n`;
    const findings = securityReview(reviewInput({ diff, changedFiles: changed('a.txt', 'b.txt') }));
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'warning', paths: ['b.txt'] }),
    ] satisfies unknown[]);
    expect(findings[0]?.message).toContain('(1 file not seen at all)');
  });
});

describe('reviews are deterministic', () => {
  it('gives the same sorted findings for the same change in any input order', () => {
    const diff =
      addedFile('src/keys.ts', ['export const k = "x";']) +
      fileDiff('package.json', ['   "dependencies": {', '+    "b-lib": "1.0.0",', '+    "a-lib": "1.0.0",']) +
      addedFile('.github/workflows/x.yml', ['on: push']);
    const files = changed('src/keys.ts', 'package.json', '.github/workflows/x.yml', 'tools/a.exe');
    const run = (order: typeof files): Finding[] => {
      const input = reviewInput({ writes: ['src'], diff, changedFiles: order, binaryPaths: ['tools/a.exe'] });
      return [...controllerReview(input), ...securityReview(input)];
    };
    const first = run(files);
    expect(run([...files].reverse())).toEqual(first);
    expect(JSON.stringify(run(files))).toBe(JSON.stringify(first));
    const ranks = { blocking: 0, warning: 1, info: 2 };
    for (const review of [controllerReview, securityReview]) {
      const severities = review(reviewInput({ writes: ['src'], diff, changedFiles: files })).map(
        (entry) => ranks[entry.severity],
      );
      expect(severities).toEqual([...severities].sort());
    }
    expect(
      first
        .filter((entry) => entry.message.startsWith('New dependency'))
        .map((entry) => entry.message.slice(0, 23)),
    ).toEqual(['New dependency "a-lib" ', 'New dependency "b-lib" ']);
  });
});

describe('securityReview: a credential omk holds', () => {
  const held = 'ghs_shortCanary0123456789';
  const holdsToken = createTokenTest([held]);
  const review = (line: string) =>
    securityReview(
      reviewInput({
        diff: fileDiff('src/a.js', [`+${line}`]),
        changedFiles: changed('src/a.js'),
        holdsToken,
      }),
    ).filter((entry) => entry.severity === 'blocking');

  it('blocks an added line holding it in any form omk knows, and never quotes it', () => {
    const forms = [
      held,
      Buffer.from(held).toString('base64'),
      Buffer.from(`x-access-token:${held}`).toString('base64'),
      'AUTHORIZATION: basic dG90YWxseS1ub3QtYS10b2tlbg==',
    ];
    for (const form of forms) {
      const found = review(`// found ${form}`);
      expect(found, form).toHaveLength(1);
      expect(found[0]?.message).toBe(
        'A GitHub credential (a token omk holds, or one shaped like it) added in "src/a.js" at line 1; remove it, and revoke it if it is real.',
      );
      expect(found[0]?.message).not.toContain(form);
    }
  });

  it('leaves other lines alone, and a format the review names is reported once, by its name', () => {
    expect(review('export const answer = 42;')).toEqual([]);
    const real = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    const found = review(`const t = "${real}";`);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/^Secret \(GitHub token\) added in "src\/a\.js"/);
  });
});
