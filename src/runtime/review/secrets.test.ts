import { describe, expect, it } from 'vitest';
import { renderReviewMarkdown } from './render.js';
import { findSecrets, looksSynthetic, MIN_ENTROPY, redact, shannonEntropy } from './secrets.js';
import { MAX_SECRET_FINDINGS_PER_FILE, securityReview } from './security.js';
import { addedFile, changed, fakeChars, fakeSecrets, fileDiff, reviewInput } from './test-fixtures.js';

const SECRETS = Object.entries(fakeSecrets());

function review(diff: string, ...paths: string[]) {
  return securityReview(reviewInput({ diff, changedFiles: changed(...paths) }));
}

describe('securityReview: secrets', () => {
  it.each(SECRETS)('blocks a %s on an added line, with file, line and a redacted form', (kind, value) => {
    const diff = fileDiff('src/config.ts', [' const a = 1;', ' const b = 2;', `+const key = "${value}";`], {
      oldStart: 40,
      newStart: 41,
    });
    const findings = review(diff, 'src/config.ts');
    expect(findings).toEqual([
      {
        review: 'security',
        severity: 'blocking',
        message: `Secret (${kind}) added in "src/config.ts" at line 43: ${value.slice(0, 4)}…; remove it, revoke it, and load it from the environment or a secret store.`,
        paths: ['src/config.ts'],
      },
    ]);
  });

  it.each(SECRETS)('ignores a %s on removed and context lines', (_kind, value) => {
    const diff = fileDiff('src/config.ts', [
      `-const key = "${value}";`,
      ` // ${value}`,
      '+const key = process.env.KEY;',
    ]);
    expect(review(diff, 'src/config.ts')).toEqual([]);
  });

  it('never echoes a secret: canaries appear in no message, path or rendered artifact', () => {
    const canaries = SECRETS.map(([, value]) => value);
    const generic = fakeChars(32);
    const lines = [
      ...canaries.map((value) => `x = "${value}"`),
      `db_password = "${generic}"`,
      'MIIEowIBAAKCAQEA',
    ];
    const findings = review(addedFile('leak.env.example', lines), 'leak.env.example');
    expect(findings.filter((entry) => entry.severity === 'blocking')).toHaveLength(canaries.length);
    expect(findings.filter((entry) => entry.message.startsWith('Possible secret'))).toHaveLength(1);
    const published = [JSON.stringify(findings), renderReviewMarkdown(findings)].join('\n');
    for (const canary of [...canaries, generic]) {
      expect(published).not.toContain(canary);
      expect(published).not.toContain(canary.slice(0, 12));
    }
  });

  it('blocks model-provider keys in any form: quoted, in a .env line, exported in a shell profile', () => {
    const {
      'Anthropic API key': anthropic = '',
      'OpenAI API key': openai = '',
      'npm token': npm = '',
    } = fakeSecrets();
    for (const [line, kind] of [
      [`ANTHROPIC_API_KEY="${anthropic}"`, 'Anthropic API key'],
      [`OPENAI_API_KEY=${openai}`, 'OpenAI API key'],
      [`export OPENAI_API_KEY=${openai}`, 'OpenAI API key'],
      [`//registry.npmjs.org/:_authToken=${npm}`, 'npm token'],
    ] as const) {
      expect(findSecrets(line), line.slice(0, 20)).toEqual([
        { kind, severity: 'blocking', redacted: expect.stringMatching(/^.{4}…$/) },
      ]);
    }
  });

  it('blocks a random value assigned to a model-provider or cloud key name, whatever its format', () => {
    const value = fakeChars(40);
    for (const [line, name] of [
      [`AWS_SECRET_ACCESS_KEY=${value}`, 'AWS_SECRET_ACCESS_KEY'],
      [`aws_secret_access_key = ${value}`, 'aws_secret_access_key'],
      [`export OPENAI_API_KEY=sk-${value}`, 'OPENAI_API_KEY'],
      [`ANTHROPIC_API_KEY='${value}'`, 'ANTHROPIC_API_KEY'],
      [`  "geminiApiKey": "${value}",`, 'geminiApiKey'],
      [`CLAUDE_CODE_OAUTH_TOKEN: ${value}`, 'CLAUDE_CODE_OAUTH_TOKEN'],
    ] as const) {
      expect(findSecrets(line), line.slice(0, 24)).toEqual([
        { kind: `value of ${name}`, severity: 'blocking', redacted: expect.stringMatching(/^.{4}…$/) },
      ]);
    }
    // References, placeholders and words are not keys.
    for (const line of [
      'ANTHROPIC_API_KEY=process.env.ANTHROPIC_API_KEY_VALUE',
      'OPENAI_API_KEY=your-openai-api-key-goes-here',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test.
      'AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}',
      `OPENAI_BASE_URL=${value}`,
      `ANTHROPIC_API_KEY=sk-ant-${'x'.repeat(40)}`,
    ]) {
      expect(
        findSecrets(line).filter((match) => match.severity === 'blocking'),
        line,
      ).toEqual([]);
    }
  });

  it('warns on an unquoted high-entropy value for a secret-looking name in a .env line, not on code', () => {
    const value = fakeChars(32);
    expect(findSecrets(`DATABASE_PASSWORD=${value}`)).toEqual([
      {
        kind: 'high-entropy value for a secret-like name',
        severity: 'warning',
        redacted: `${value.slice(0, 4)}…`,
      },
    ]);
    expect(findSecrets(`accessToken=computeAccessTokenForUser(request)`)).toEqual([]);
    expect(findSecrets(`API_KEY=\${API_KEY_FROM_VAULT}`)).toEqual([]);
  });

  it('warns, without blocking, on a high-entropy value assigned to a secret-looking name', () => {
    const value = fakeChars(24);
    expect(shannonEntropy(value)).toBeGreaterThanOrEqual(MIN_ENTROPY);
    const findings = review(
      addedFile('app.py', [`API_KEY = '${value}'`, `  "client_secret": "${value}",`]),
      'app.py',
    );
    const message = (line: number) =>
      `Possible secret (high-entropy value for a secret-like name) added in "app.py" at line ${line}: ` +
      `${redact(value)}; remove it, or confirm it is not a credential.`;
    expect(findings.map((entry) => [entry.severity, entry.message])).toEqual([
      ['warning', message(1)],
      ['warning', message(2)],
    ]);
  });

  it('ignores low-entropy values, placeholders, short values and unrelated names', () => {
    const lines = [
      'password = "passwordpassword1"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test.
      'token = "${GITHUB_TOKEN_FROM_ENV}"',
      'secret = "<your-secret-goes-here>"',
      'api_key = "short"',
      `checksum = "${fakeChars(40)}"`,
    ];
    expect(lines.flatMap(findSecrets)).toEqual([]);
  });

  it('skips hand-written fixture values: ascending or repeated runs and AWS sample keys', () => {
    const lines = [
      ['const t = "ghs', '0123456789abcdefghijklmnopqrstuvwxyz"'].join('_'),
      ['AKIA', 'XXXXXXXXXXXXXXXX'].join(''),
      ['AKIA', 'IOSFODNN7EXAMPLE'].join(''),
      'ACTIONS_RUNTIME_TOKEN: "runtime-token-abcdefghijkl"',
      'ACTIONS_ID_TOKEN_REQUEST_URL: "https://example.invalid/token"',
    ];
    expect(lines.flatMap(findSecrets)).toEqual([]);
    expect(looksSynthetic(fakeChars(64))).toBe(false);
    // A URL with credentials in it is not a placeholder.
    expect(findSecrets(`token = "https://user:${fakeChars(20)}@example.invalid"`)).toHaveLength(1);
  });

  it('blocks a random password written into a URL, reporting only its first characters', () => {
    const password = fakeChars(24);
    for (const line of [
      `git remote add origin https://deploy:${password}@git.example.com/team/app.git`,
      `DATABASE_URL=postgres://app:${password}@db.internal:5432/app`,
      `  url: "mongodb+srv://svc:${password}@cluster0.example.net/app"`,
    ]) {
      expect(findSecrets(line), line.slice(0, 24)).toEqual([
        { kind: 'password in a URL', severity: 'blocking', redacted: redact(password) },
      ]);
    }
    // Local defaults, references and URLs without a password are not credentials.
    for (const line of [
      'DATABASE_URL=postgres://postgres:postgres@localhost:5432/app',
      'DATABASE_URL=postgres://app:password1@localhost:5432/app',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test.
      'url = "https://x-access-token:${TOKEN}@github.com/org/repo.git"',
      'url = "https://user@github.com/org/repo.git"',
      `const sha = "${fakeChars(40, '0123456789abcdef')}";`,
    ]) {
      expect(findSecrets(line), line).toEqual([]);
    }
  });

  it('reports a known token assigned to a secret name once, as blocking', () => {
    const token = fakeSecrets()['GitHub token'] ?? '';
    expect(findSecrets(`GITHUB_TOKEN = "${token}"`)).toEqual([
      { kind: 'GitHub token', severity: 'blocking', redacted: redact(token) },
    ]);
  });

  it('does not match a token shape embedded in a longer identifier', () => {
    const aws = fakeSecrets()['AWS access key id'] ?? '';
    expect(findSecrets(`const X${aws}Y = 1;`)).toEqual([]);
  });

  it(`lists at most ${MAX_SECRET_FINDINGS_PER_FILE} secrets per file and counts the rest`, () => {
    const aws = fakeSecrets()['AWS access key id'] ?? '';
    const lines = Array.from({ length: MAX_SECRET_FINDINGS_PER_FILE + 3 }, () => `k = ${aws}`);
    const findings = review(addedFile('dump.txt', lines), 'dump.txt');
    expect(findings).toHaveLength(MAX_SECRET_FINDINGS_PER_FILE + 1);
    expect(findings.map((entry) => entry.message)).toContain(
      '3 more possible secrets added in "dump.txt" (not listed).',
    );
    expect(findings.every((entry) => entry.severity === 'blocking')).toBe(true);
  });
});
