// Credential detection in added diff lines. A match is reported by kind, place and a redacted
// form only: a review artifact is published (PR bodies, job summaries), so echoing the secret
// would leak it a second time.

export interface SecretMatch {
  kind: string;
  /** Known token formats block; a high-entropy value assigned to a secret-looking name warns. */
  severity: 'blocking' | 'warning';
  /** The first characters and an ellipsis; never the whole secret. */
  redacted: string;
}

interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** False where the match is fixed text (a PEM header) rather than key material. */
  random: boolean;
}

// Token formats documented by their issuers; the look-behinds keep them from matching inside a
// longer identifier.
const RULES: readonly SecretRule[] = [
  {
    kind: 'AWS access key id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g,
    random: true,
  },
  {
    kind: 'GitHub token',
    pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])/g,
    random: true,
  },
  {
    kind: 'GitHub fine-grained token',
    pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}/g,
    random: true,
  },
  { kind: 'Slack token', pattern: /(?<![A-Za-z0-9])xox[abpr]-[A-Za-z0-9-]{10,250}/g, random: true },
  { kind: 'private key', pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g, random: false },
  {
    kind: 'Google API key',
    pattern: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g,
    random: true,
  },
  { kind: 'Stripe live key', pattern: /(?<![A-Za-z0-9])[rs]k_live_[0-9A-Za-z]{10,247}/g, random: true },
  // Model providers: the keys agents themselves are run with.
  {
    kind: 'Anthropic API key',
    pattern: /(?<![A-Za-z0-9_-])sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{32,256}/g,
    random: true,
  },
  {
    kind: 'OpenAI API key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,256}/g,
    random: true,
  },
  {
    kind: 'OpenAI API key',
    pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9])/g,
    random: true,
  },
  { kind: 'npm token', pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g, random: true },
  // Formats secretlint's recommended preset knows and omk missed (docs/architecture.md has the
  // comparison): model and developer platforms agents are commonly given keys for.
  { kind: 'Groq API key', pattern: /(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/g, random: true },
  { kind: 'Hugging Face token', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9_])/g, random: true },
  {
    kind: 'GitLab token',
    pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])/g,
    random: true,
  },
  {
    kind: 'SendGrid API key',
    pattern: /(?<![A-Za-z0-9_])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    random: true,
  },
  {
    kind: 'Shopify token',
    pattern: /(?<![A-Za-z0-9_])shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}(?![A-Za-z0-9])/g,
    random: true,
  },
  {
    kind: 'Vault token',
    pattern: /(?<![A-Za-z0-9_])hv[sbr]\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])/g,
    random: true,
  },
  {
    kind: 'Linear API key',
    pattern: /(?<![A-Za-z0-9_])lin_api_[A-Za-z0-9_]{32,128}(?![A-Za-z0-9_])/g,
    random: true,
  },
  {
    kind: 'Docker access token',
    pattern: /(?<![A-Za-z0-9_])dckr_pat_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])/g,
    random: true,
  },
  {
    kind: 'Slack webhook URL',
    pattern:
      /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]{1,40}\/B[A-Za-z0-9]{1,40}\/[A-Za-z0-9]{16,40}/g,
    random: true,
  },
];

// Most added lines hold no credential: one pass of every format at once, and a look for the words
// an assignment rule needs, let such a line skip the rules one by one (docs/architecture.md has
// the figures). Both are derived from or checked against the rules, so neither can drift from them.
const ANY_FORMAT = new RegExp(RULES.map((rule) => `(?:${rule.pattern.source})`).join('|'));
/** Every assignment rule's name contains one of these, without case (`api_key`, `TOKEN`, `passwd`). */
const SECRET_WORD = /key|token|secret|passw/i;

/**
 * The key formats (not fixed text such as a PEM header), for scrubbing what omk writes
 * (runtime/secrets/scrub.ts): one list for both, so a format added here is also scrubbed.
 */
export const TOKEN_PATTERNS: readonly RegExp[] = RULES.filter((rule) => rule.random).map(
  (rule) => rule.pattern,
);

// `password = "…"`, `"api_key": "…"`, `token := "…"`: a quoted value of 16+ characters without
// spaces assigned to a name that says it is secret.
// Every repetition is bounded and the pattern starts at a keyword, so a megabyte-long minified
// line costs linear time rather than a backtracking blow-up.
const ASSIGNMENT =
  /(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_.-]{0,64}["']?\s{0,8}(?::=|=|:)\s{0,8}(["'])([^"'\s]{16,256})\1/gi;
// The same in a .env file or a shell profile, unquoted: `OPENAI_API_KEY=…`, `export DB_PASSWORD=…`.
const ENV_ASSIGNMENT =
  /^\s{0,8}(?:export\s{1,8})?[A-Z0-9_]{0,64}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY)[A-Z0-9_]{0,64}=([^\s"'#]{16,256})/g;
// A value assigned to a name that says which model provider or cloud it is the key of
// (`ANTHROPIC_API_KEY=…`, `aws_secret_access_key = …` in ~/.aws/credentials, `"openaiApiKey": "…"`):
// such a key need not have its issuer's prefix (AWS secret keys have none; keys of older or other
// formats), and the name already says what it is, so a random-looking value blocks. Quoted or not.
const NAMED_ASSIGNMENT =
  /(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9_.-]{2,64})["']?\s{0,8}(?::=|=|:)\s{0,8}(["']?)([A-Za-z0-9+/_.=-]{20,256})\2(?![A-Za-z0-9+/_.=-])/g;
const PROVIDER_KEY_NAME =
  /^(?:anthropic|claude|openai|azureopenai|gemini|google|googlegenerativeai|vertexai|aws|amazon|slack|npm|mistral|groq|xai|deepseek|cohere|huggingface|hf|openrouter|moonshot|kimi|together|fireworks|perplexity)[a-z0-9]{0,32}(?:apikey|secretaccesskey|secretkey|sessiontoken|authtoken|accesstoken|bottoken|token)$/;
/** Whether an assignment's name says it holds a model provider's or cloud's key (compared without case, `_`, `-` or `.`). */
export function providerKeyName(name: string): boolean {
  return PROVIDER_KEY_NAME.test(name.toLowerCase().replace(/[_.-]/g, ''));
}
// A password written into a URL (`https://deploy:…@git.example.com`, `postgres://app:…@db:5432`):
// the scheme and user are bounded and the password stops at the first `@`, `/`, space or quote.
// A reference (`${TOKEN}`, `$PASS`, `<password>`) has characters outside the class and never matches.
const URL_PASSWORD =
  /(?<![A-Za-z0-9+.-])(?:https?|ftps?|ssh|git|postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?):\/\/[A-Za-z0-9._~%-]{1,64}:([A-Za-z0-9._~%!*+=-]{8,128})@[A-Za-z0-9.-]{1,253}/g;
/** A URL password with letters and digits at this entropy or more is not `postgres`/`password1`. */
const URL_PASSWORD_ENTROPY = 3;
// Placeholders and references are not secrets: ${VAR}, {{ var }}, <value>, %VAR%, process.env.X,
// and URLs without credentials in them.
const PLACEHOLDER =
  /^\$\{.*\}$|\{\{.*\}\}|^<.*>$|^%.*%$|^(?:process\.env|os\.environ|env)\b|^https?:\/\/[^@]*$/i;
// AWS documents its sample keys with an "EXAMPLE" suffix.
const SAMPLE_MARKER = /EXAMPLE/;
/** Runs this long are vanishingly rare in random keys (~1 in 10^7 for 36 base-62 characters). */
const SYNTHETIC_RUN = 6;
/** Bits per character; random base64 or hex keys sit well above it, words and repeats below. */
export const MIN_ENTROPY = 3.5;

/** Every credential on one line of added text, in order of position. */
export function findSecrets(line: string): SecretMatch[] {
  return secretSpans(line).map((entry) => entry.match);
}

/** A credential found on a line, with where its value stands (`line.slice(start, end)`). */
export interface SecretSpan {
  start: number;
  end: number;
  match: SecretMatch;
}

/** `findSecrets` with each value's place: the scrub removes what the review blocks. */
export function secretSpans(line: string): SecretSpan[] {
  const found: SecretSpan[] = [];
  const formats = ANY_FORMAT.test(line) ? RULES : [];
  for (const rule of formats) {
    for (const hit of line.matchAll(rule.pattern)) {
      const start = hit.index;
      if (rule.random && looksSynthetic(hit[0])) continue;
      found.push({ start, end: start + hit[0].length, match: secret(rule.kind, 'blocking', hit[0]) });
    }
  }
  const named = SECRET_WORD.test(line);
  for (const hit of named ? line.matchAll(NAMED_ASSIGNMENT) : []) {
    const name = hit[1] ?? '';
    const value = hit[3] ?? '';
    if (!providerKeyName(name) || !looksLikeKey(value)) continue;
    const start = hit.index + hit[0].length - value.length - (hit[2] ?? '').length;
    const end = start + value.length;
    if (found.some((other) => other.start < end && start < other.end)) continue;
    found.push({ start, end, match: secret(`value of ${name}`, 'blocking', value) });
  }
  for (const hit of line.includes('://') ? line.matchAll(URL_PASSWORD) : []) {
    const value = hit[1] ?? '';
    if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) continue;
    if (looksSynthetic(value) || shannonEntropy(value) < URL_PASSWORD_ENTROPY) continue;
    const start = hit.index + hit[0].indexOf(`:${value}@`) + 1;
    const end = start + value.length;
    if (found.some((other) => other.start < end && start < other.end)) continue;
    found.push({ start, end, match: secret('password in a URL', 'blocking', value) });
  }
  const assignments = !named
    ? []
    : [
        ...[...line.matchAll(ASSIGNMENT)].map((hit) => ({
          value: hit[2] ?? '',
          start: hit.index + hit[0].length - (hit[2] ?? '').length - 1,
        })),
        ...[...line.matchAll(ENV_ASSIGNMENT)].map((hit) => ({
          value: hit[1] ?? '',
          start: hit.index + hit[0].length - (hit[1] ?? '').length,
        })),
      ];
  for (const { value, start } of assignments) {
    const end = start + value.length;
    // A known token assigned to `token = "…"` is already reported, and blocking.
    if (found.some((other) => other.start < end && start < other.end)) continue;
    if (PLACEHOLDER.test(value) || looksSynthetic(value) || shannonEntropy(value) < MIN_ENTROPY) continue;
    found.push({ start, end, match: secret('high-entropy value for a secret-like name', 'warning', value) });
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Key material rather than a placeholder or a reference: letters and digits both, random-looking
 * (`your-anthropic-key-here`, `process.env.OPENAI_API_KEY`, `sk-...` are not).
 */
function looksLikeKey(value: string): boolean {
  return (
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !PLACEHOLDER.test(value) &&
    !looksSynthetic(value) &&
    shannonEntropy(value) >= KEY_ENTROPY
  );
}
/** Random base-62/64 keys of 20+ characters sit near 4.3 bits per character and above. */
const KEY_ENTROPY = 4;

/**
 * Hand-written test values ("ghs_0123456789abcdef…", "AKIAXXXXXXXXXXXXXXXX", AWS's documented
 * samples): a run of ascending or identical characters no generator would produce. Skipping them
 * keeps test fixtures from blocking; a real key cannot be made to look like this by whoever leaks it.
 */
export function looksSynthetic(value: string): boolean {
  if (SAMPLE_MARKER.test(value)) return true;
  let ascending = 1;
  let same = 1;
  for (let i = 1; i < value.length; i++) {
    const step = value.charCodeAt(i) - value.charCodeAt(i - 1);
    ascending = step === 1 ? ascending + 1 : 1;
    same = step === 0 ? same + 1 : 1;
    if (ascending >= SYNTHETIC_RUN || same >= SYNTHETIC_RUN) return true;
  }
  return false;
}

function secret(kind: string, severity: SecretMatch['severity'], value: string): SecretMatch {
  return { kind, severity, redacted: redact(value) };
}

/** First four characters and an ellipsis; every rule requires far more, so it never equals the secret. */
export function redact(value: string): string {
  return `${[...value].slice(0, 4).join('')}…`;
}

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
