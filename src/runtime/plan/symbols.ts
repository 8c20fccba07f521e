import type { GrepHit, RepoPort } from '../ports.js';
import { isTestPath } from './discover.js';
import { isCommonWord } from './words.js';

// Identifiers a goal names, and where the repository defines them. A goal that says `parseConfig`
// is about the file defining parseConfig, whatever the file is called; a crude line classifier is
// enough because it only has to tell a definition from a use on lines that already hold the name.

/** An identifier as a goal writes it: `parseConfig`, `add()`, `Version.Compare`, `parse_header`. */
export interface GoalIdentifier {
  /** The name searched for: the member of `Type.member`, the function of `add()`. */
  name: string;
  /** The type of `Type.member`, when given. */
  owner?: string;
  written: string;
}

export type SymbolKind = 'function' | 'method' | 'type' | 'value';

export interface SymbolDefinition {
  name: string;
  kind: SymbolKind;
  path: string;
  line: number;
}

const NAME = '[A-Za-z_$][\\w$]*';
const FILE_EXTENSION =
  /^(?:js|mjs|cjs|jsx|ts|mts|cts|tsx|py|go|rs|rb|java|kt|swift|c|h|cc|cpp|hpp|cs|php|md|mdx|txt|json|ya?ml|toml|lock|sh|html|css|sql|xml|csv|ini|cfg|env|log|lua|ex|exs|scala|dart|vue|svelte)$/i;
/** Words that end a sentence or open a thought, never a symbol: "E.g", "I.e". */
const NOT_A_NAME = /^(?:e|i|etc|vs|cf|no|www|http|https)$/i;
/** Names of languages, products and services written in camel case: words, not identifiers. */
const PROPER_NOUNS = new Set(
  `JavaScript TypeScript CoffeeScript ActionScript PowerShell GitHub GitLab BitBucket macOS iOS iPadOS watchOS tvOS
  iPhone iPad OAuth GraphQL PostgreSQL MySQL MariaDB MongoDB SQLite NoSQL WebSocket WebSockets WebAssembly WebGL
  WebRTC YouTube LinkedIn PayPal WordPress OpenAI ChatGPT OpenAPI DevOps VSCode IntelliJ PyPI NuGet CocoaPods
  DynamoDB CloudFront CloudFormation ElasticSearch OpenSSL LibreSSL FreeBSD OpenBSD NetBSD DockerHub HashiCorp
  JetBrains RubyGems FastAPI NumPy SciPy PyTorch TensorFlow LaTeX CircleCI AppVeyor SourceForge StackOverflow`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

function cleanToken(token: string): string {
  return token.replace(/^[^\w$]+/, '').replace(/[.,;:!?'"]+$/, '');
}

function identifierOf(raw: string, backticked: boolean): GoalIdentifier | null {
  const token = cleanToken(raw);
  const call = /^([\w$.:#]+?)\(.*$/.exec(token);
  if (call?.[1] !== undefined) return identifierOf(call[1], true) ?? null;
  const member = new RegExp(`^(${NAME})(?:\\.|::|#)(${NAME})$`).exec(token);
  if (member?.[1] !== undefined && member[2] !== undefined) {
    // "math.js" is a file, "Version.Compare" a member.
    if (FILE_EXTENSION.test(member[2]) || NOT_A_NAME.test(member[1])) return null;
    return { name: member[2], owner: member[1], written: token };
  }
  if (!new RegExp(`^${NAME}$`).test(token) || token.length < 2 || NOT_A_NAME.test(token)) return null;
  if (!backticked && PROPER_NOUNS.has(token)) return null;
  const camel = /[a-z0-9][A-Z]/.test(token);
  const snake = /[A-Za-z0-9]_[A-Za-z0-9]/.test(token);
  if (!backticked && !camel && !snake && !/[()]/.test(raw)) return null;
  return { name: token, written: token };
}

/**
 * Identifiers named in a goal: camelCase, PascalCase with an inner capital, snake_case, `name()`
 * calls, `Type.member` / `Type::member` / `Type#member`, and anything in backticks.
 */
export function goalIdentifiers(text: string): GoalIdentifier[] {
  const found: GoalIdentifier[] = [];
  for (const [, inner] of text.matchAll(/`([^`]+)`/g)) {
    // `npm test` is a command, not a name: only a single backticked token is an identifier.
    const id = /\s/.test((inner ?? '').trim()) ? null : identifierOf(inner ?? '', true);
    if (id !== null) found.push(id);
  }
  const plain = text.replace(/`[^`]*`/g, ' ');
  for (const part of plain.split(/[\s,;!?[\]{}<>"]+/)) {
    const id = identifierOf(part, false);
    if (id !== null) found.push(id);
  }
  const seen = new Set<string>();
  return found.filter((id) => {
    const key = `${id.owner ?? ''}.${id.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function escapeName(name: string): string {
  return name.replace(/[$]/g, '\\$');
}

const MODIFIERS =
  '(?:(?:export|default|public|private|protected|internal|static|async|override|abstract|final|readonly|virtual|get|set|pub(?:\\([a-z]+\\))?|unsafe|extern|inline|suspend|open|declare)\\s+)*';
const CONTROL_WORD =
  /^\s*(?:return|if|else|for|while|switch|case|new|await|throw|yield|await|do|catch|typeof|delete|void|assert|print|puts|echo)\b/;

/** How `text` defines `name`, or null when the line only uses it. */
export function definitionKind(text: string, name: string): SymbolKind | null {
  const n = escapeName(name);
  if (new RegExp(`\\b(?:function\\*?|def|fn|sub|proc)\\s+${n}\\s*[(<[]`).test(text)) return 'function';
  if (new RegExp(`\\bfunc\\s*\\([^)]*\\)\\s*${n}\\s*[(<[]`).test(text)) return 'method';
  if (new RegExp(`\\bfunc\\s+${n}\\s*[(<[]`).test(text)) return 'function';
  if (
    new RegExp(
      `\\b(?:class|interface|type|enum|struct|trait|record|protocol|impl|module|object|namespace)\\s+${n}\\b`,
    ).test(text)
  )
    return 'type';
  if (new RegExp(`\\b(?:const|let|var|val)\\s+${n}\\s*(?::[^=]+)?=`).test(text)) return 'value';
  if (new RegExp(`(?:\\bexports|\\bthis|\\bself|\\.prototype)\\.${n}\\s*=[^=]`).test(text)) return 'method';
  if (new RegExp(`^${n}\\s*(?::[^=]+)?=[^=]`).test(text)) return 'value';
  if (CONTROL_WORD.test(text)) return null;
  // Methods: `  parse(text: string): Result {`, `public int add(int a) {`, `add = (a) => {`, `add: function`.
  if (
    new RegExp(`^\\s*${MODIFIERS}${n}\\s*(?:<[^>]*>)?\\s*\\([^;]*\\)\\s*(?::\\s*[^;{=]+)?\\s*\\{\\s*$`).test(
      text,
    )
  )
    return 'method';
  if (
    new RegExp(
      `^\\s*${MODIFIERS}[\\w<>[\\],.?*&]+\\s+${n}\\s*\\([^;]*\\)\\s*(?:throws\\s+[\\w.,\\s]+)?\\{?\\s*$`,
    ).test(text)
  )
    return 'method';
  if (
    new RegExp(
      `^\\s*${MODIFIERS}${n}\\s*[:=]\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*(?::[^=]+)?=>|[\\w$]+\\s*=>)`,
    ).test(text)
  )
    return 'method';
  return null;
}

const MAX_HITS = 5000;
/** Plain words looked up per goal, at most: a goal is a sentence, not a word list. */
const MAX_WORDS = 12;

/**
 * Plain lower-case words of a goal that may name a function ("make trim strip tabs too" → trim,
 * strip): at least three letters, not in backticks (those are identifiers), not common English.
 */
export function goalWords(text: string): string[] {
  const plain = text.replace(/`[^`]*`/g, ' ');
  const out = new Set<string>();
  for (const part of plain.split(/[\s,;!?[\]{}<>"()]+/)) {
    const word = part.replace(/^[^\w$]+/, '').replace(/[.:'"]+$/, '');
    if (/^[a-z][a-z0-9]{2,}$/.test(word) && !isCommonWord(word)) out.add(word);
  }
  return [...out].slice(0, MAX_WORDS);
}

/**
 * Lines that may define one of `words` (lower-case letters and digits only, so safe in a regular
 * expression): `function w`, `def w`, `func w`, `fn w`, `const w`, `func (r T) w(`, `  w(…) {`,
 * `exports.w =`, `w: …`. One extended expression set for all words; `definitionKind` decides.
 */
function definitionPatterns(words: readonly string[]): string[] {
  const n = `(${words.join('|')})`;
  const end = '([^[:alnum:]_$]|$)';
  return [
    `(function|def|fn|func|sub|proc|const|let|var|val)[[:space:]*]+${n}${end}`,
    `func[[:space:]]*\\([^)]*\\)[[:space:]]*${n}${end}`,
    `^[[:space:]]*([[:alnum:]_<>,.?*&]+[[:space:]]+)*${n}[[:space:]]*(<[^>]*>)?[[:space:]]*\\(`,
    `(exports|this|self|prototype)\\.${n}[[:space:]]*=`,
    `^[[:space:]]*${n}[[:space:]]*[:=]`,
  ];
}

function definitionsIn(hits: readonly GrepHit[], names: readonly string[]): SymbolDefinition[] {
  const out: SymbolDefinition[] = [];
  for (const hit of hits) {
    for (const name of names) {
      if (!hit.text.includes(name)) continue;
      const kind = definitionKind(hit.text, name);
      if (kind !== null) out.push({ name, kind, path: hit.path, line: hit.line });
    }
  }
  return out;
}

/**
 * Where the repository defines the goal's identifiers (and the owners of `Type.member`) and its
 * plain `words` (see goalWords): one `git grep` for the identifiers, one for all the words, which
 * asks for definition-shaped lines only so that a word used everywhere cannot flood the hits. With
 * `at`, in the files of that commit (the goal's base, what its worktrees hold), not the checkout's.
 */
export async function findDefinitions(
  repo: Pick<RepoPort, 'grepLines'>,
  root: string,
  identifiers: readonly GoalIdentifier[],
  words: readonly string[] = [],
  at?: string,
): Promise<SymbolDefinition[]> {
  const names = [
    ...new Set(identifiers.flatMap((id) => (id.owner === undefined ? [id.name] : [id.name, id.owner]))),
  ];
  const plain = words.filter((word) => /^[a-z][a-z0-9]*$/.test(word));
  const [hits, wordHits] = await Promise.all([
    names.length === 0
      ? []
      : repo.grepLines(root, { patterns: names, fixed: true, words: true, maxHits: MAX_HITS, at }),
    plain.length === 0
      ? []
      : repo.grepLines(root, { patterns: definitionPatterns(plain), maxHits: MAX_HITS, at }),
  ]);
  const seen = new Set<string>();
  return [...definitionsIn(hits, names), ...definitionsIn(wordHits, plain)].filter((def) => {
    const key = `${def.name}:${def.path}:${def.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Why a file is in a write set: the symbol it defines. */
export interface SymbolMatch {
  path: string;
  because: string;
}

/**
 * The files defining what a clause names, best first. `Type.member` prefers files defining both;
 * definitions in test files count only when nothing else defines the name (test helpers).
 */
export function definingFiles(clauseText: string, definitions: readonly SymbolDefinition[]): SymbolMatch[] {
  const out = new Map<string, string>();
  for (const id of goalIdentifiers(clauseText)) {
    const all = definitions.filter((def) => def.name === id.name);
    const nonTest = all.filter((def) => !isTestPath(def.path));
    // A key in a manifest or config (a Cargo.toml dependency named after the crate's function) only
    // refers to what code defining it as a function, method or type defines.
    const code = nonTest.filter((def) => SOURCE_FILE.test(def.path) && def.kind !== 'value');
    const named = code.length > 0 ? nonTest.filter((def) => SOURCE_FILE.test(def.path)) : nonTest;
    let defs = named.length > 0 ? named : all;
    if (id.owner !== undefined) {
      const owners = new Set(
        definitions.filter((def) => def.name === id.owner && def.kind === 'type').map((def) => def.path),
      );
      const both = defs.filter((def) => owners.has(def.path));
      if (both.length > 0) defs = both;
      else if (defs.length === 0)
        defs = definitions.filter((def) => def.name === id.owner && !isTestPath(def.path));
    }
    for (const def of defs) {
      if (!out.has(def.path)) out.set(def.path, `defines ${def.name} (${def.kind}, line ${def.line})`);
    }
  }
  return [...out].map(([path, because]) => ({ path, because }));
}

/** Source files, where a plain word of the goal may name a function; prose and data never do. */
const SOURCE_FILE =
  /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx|py|go|rs|rb|java|kt|kts|swift|c|h|cc|cpp|hpp|cs|php|lua|ex|exs|scala|dart|vue|svelte|sh|pl|pm)$/i;
/** A plain word defined in more files than this is a common name, not the one the goal means. */
const MAX_WORD_FILES = 2;

/**
 * The files defining the plain words of a clause (see goalWords): a word defined in one or two
 * source files (tests aside) wins them; a word defined nowhere, or in many files, says nothing.
 */
export function wordDefiningFiles(
  clauseText: string,
  definitions: readonly SymbolDefinition[],
): SymbolMatch[] {
  const out = new Map<string, string>();
  for (const word of goalWords(clauseText)) {
    const defs = definitions.filter(
      (def) => def.name === word && SOURCE_FILE.test(def.path) && !isTestPath(def.path),
    );
    const files = new Set(defs.map((def) => def.path));
    if (files.size === 0 || files.size > MAX_WORD_FILES) continue;
    for (const def of defs) {
      if (!out.has(def.path)) out.set(def.path, `defines ${def.name} (${def.kind}, line ${def.line})`);
    }
  }
  return [...out].map(([path, because]) => ({ path, because }));
}
