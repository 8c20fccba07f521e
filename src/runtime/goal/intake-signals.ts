import { withoutConstraints } from './constraints.js';
import type { GoalClass } from './schema.js';

// Word-level evidence the oracle reads from a goal. Kept apart from the decision so the tables can
// grow without touching the precedence logic. All patterns run on lowercased, normalized text.

const CLASS_PATTERNS: Record<GoalClass, readonly RegExp[]> = {
  fix: [
    /\b(?:fix(?:es|ed|ing)?|bugs?|buggy|bugfix|fail(?:s|ed|ing|ures?)?|broken|crash(?:es|ed|ing)?|regressions?|repair(?:s|ed|ing)?|resolve[sd]?|incorrect(?:ly)?|wrong(?:ly)?|exceptions?|leak(?:s|ing)?|flaky|hang(?:s|ing)?|defects?|typos?)\b/g,
    // "error handling" and "error messages" describe features, not failures.
    /\berrors?\b(?! (?:handling|messages?|reporting|codes?|pages?))/g,
  ],
  hardening: [
    /\b(?:harden(?:s|ed|ing)?|secur(?:e|ed|ing|ity)|sanitis(?:e|es|ed|ing|ation)|sanitiz(?:e|es|ed|ing|ation)|validat(?:e|es|ed|ing|ion)|injections?|xss|csrf|ssrf|xxe|vulnerab\w*|cve-[\d-]+|exploit\w*|malicious|untrusted|hostile|traversal|rate[- ]limit\w*|throttl\w*|denial of service|dos|redos|brute[- ]force|fuzz\w*)\b/g,
    /\bescap(?:e|es|ed|ing) (?:html|output|input|user|sql|shell|special)\b/g,
  ],
  performance: [
    /\b(?:perf|performance|performant|faster|fast|speed(?:s|ed)?(?: up)?|slow(?:er|ness|ly|s)?|latenc(?:y|ies)|throughput|memory|cpu|optimi[sz](?:e|es|ed|ing|ation)|efficien(?:t|tly|cy)|bottlenecks?|p9\d|p50|allocations?|benchmarks?|startup time|load time|caching)\b/g,
  ],
  rewrite: [
    /\b(?:rewrit(?:e|es|ing|ten)|re-write|port(?:ed|ing)|migrat(?:e|es|ed|ing|ion)|refactor(?:s|ed|ing)?|convert(?:s|ed|ing)?|clean(?:s|ed|ing)? ?up|tidy|simplif(?:y|ies|ied)|restructur(?:e|ed|ing)|reorganiz(?:e|ed|ing)|reorganis(?:e|ed|ing)|extract(?:s|ed|ing)?|dedup\w*|moderni[sz](?:e|ed|ing)|upgrad(?:e|es|ed|ing)|transpile|switch(?:es|ed)? from|move(?:s|d)? from)\b/g,
    // Renaming or removing code changes what exists, not what it does: the existing tests prove it.
    /\b(?:renam(?:e|es|ed|ing)|remov(?:e|es|ed|ing)|delet(?:e|es|ed|ing)|drop)\b/g,
    // "port" and "replace" are rewrites only with a destination ("port X to Y", "replace X with Y").
    /\bport\b(?= .+\bto\b)/g,
    /\breplac(?:e|es|ed|ing)\b(?= .+\bwith\b)/g,
  ],
  greenfield: [
    /\b(?:add(?:s|ed|ing)?|implement(?:s|ed|ing)?|creat(?:e|es|ed|ing)|introduc(?:e|es|ed|ing)|support(?:s|ed|ing)?|expose|provide|allow|enable|generat(?:e|es|ed|ing)|writ(?:e|es|ing)|update[sd]?|document|print|return|accept|reject|emit|display|show|output)\b/g,
    /\bbuild(?= (?:a|an|new|the new)\b)/g,
  ],
};

/** Adding tests supports whatever else the goal asks; it is greenfield only when nothing else is asked. */
const TEST_AUTHORING =
  /\b(?:add(?:s|ed|ing)?|writ(?:e|es|ing)|creat(?:e|es|ing))\s+(?:(?:a|an|the|more|some|new|missing)\s+)?(?:(?:regression|unit|integration|e2e|end-to-end|acceptance|snapshot|property-based)\s+)*(?:tests?|specs?|test cases?|coverage)\b/g;

/** A failing suite is its own anchor: running it shows what to fix. */
const FAILING_SUITE =
  /\b(?:failing|broken|red|flaky)\s+(?:(?:unit|integration|e2e)\s+)?(?:tests?|specs?|builds?|ci|suites?|checks?|jobs?|pipelines?)\b|\b(?:tests?|ci|build|suite)\s+(?:(?:is|are)\s+)?(?:failing|broken|red)\b/g;

const TIME_OR_SIZE_UNIT =
  '(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|µs|us|ns|kb|mb|gb|kib|mib|gib|rps|qps|req/s|ops/s|requests per second)';
/** A number with a unit of time, size or rate: measurable on its own. */
const ABSOLUTE_TARGET = new RegExp(
  `(?:\\b(?:under|below|within|less than|at most|at least|above|over|to|by|<=?|>=?)\\s*)?\\b\\d+(?:\\.\\d+)?\\s*${TIME_OR_SIZE_UNIT}(?![a-z])`,
  'g',
);
/** Ratios need a performance word nearby to mean performance ("coverage by 30%" does not). */
const RELATIVE_TARGET =
  /(?:\b(?:by|at least|over)\s+)?\b\d+(?:\.\d+)?\s*(?:%|percent\b|x\b|×|times\b)(?:\s*(?:faster|quicker|smaller|less|fewer|lower|higher|more))?|\b(?:halve|double|triple)\b/g;

const STOPWORDS = new Set(
  `a an the this that these those to of in on for with and or but if then also so as at by from into onto up down out
  over under about please we our us i me my you your they them it its is are was were be been being should must can
  could would will shall may might need needs want wants let lets just really very too all any each every some no not
  only own same such than there here when where which who whom why how what get gets got ok okay etc via using use
  after before against between without within through across around during since until while because instead again
  reduce reduces increase increases decrease decreases lower raise ensure ensures keep keeps avoid`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

/** Words that carry no observable target: a goal made only of these cannot be verified. */
const VAGUE_WORDS = new Set(
  `make makes making improve improves improved improving improvement improvements better nicer nice good great cleaner
  clean best optimal stuff things thing something anything everything code codebase project repo repository app
  application overall general quality bit lot do does doing done work works working issue issues problem problems
  feature features functionality change changes whole system way more less test tests testing spec specs new`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

export interface GoalSignals {
  /** Matched words per class, in order of first appearance. */
  classes: Map<GoalClass, string[]>;
  testAuthoring: string[];
  /** Concrete anchors: paths, identifiers, quoted text, numbers, failing suites, content words. */
  targets: string[];
  vague: string[];
  /** A measurable performance target as written ("under 200ms", "2x faster"), or null. */
  measurable: string | null;
  /** True when the goal bounds a time, size or rate ("within 5 s"): that is a performance goal by itself. */
  boundsPerformance: boolean;
}

function matches(re: RegExp, text: string): string[] {
  return [...text.matchAll(re)].map((m) => m[0].trim());
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Tokens as written; punctuation inside paths, flags and identifiers is kept. */
function tokens(text: string): string[] {
  return text
    .split(/[\s,;:!?()[\]{}<>"'`]+/)
    .map((token) => token.replace(/^[.*#]+|[.-]+$/g, ''))
    .filter((token) => token !== '');
}

function isConcreteToken(token: string, classWords: ReadonlySet<string>): boolean {
  const lower = token.toLowerCase();
  if (/[/\\]/.test(token) || /^--?[a-z]/i.test(token)) return true; // path or flag
  if (/^[\w-]+\.[a-z][\w]{0,7}$/i.test(token) && !/^(?:e\.g|i\.e|etc)$/i.test(lower)) return true; // file name
  if (/[a-z][A-Z]/.test(token) || /[a-z0-9]_[a-z0-9]/i.test(token) || /\(\)$/.test(token)) return true; // identifier
  if (/^\d{2,}$/.test(token)) return true; // status code, port, issue number
  if (!/^[a-z][a-z'-]*[a-z]$/i.test(lower) || lower.length < 3) return false;
  return !STOPWORDS.has(lower) && !VAGUE_WORDS.has(lower) && !classWords.has(lower);
}

/**
 * The words that say what kind of change a goal asks for: identifiers (`add()`, `Foo.bar(x)`,
 * backticked names) and constraint clauses ("add no new dependencies") removed, so "refactor add()
 * in src/math.js" reads as a rewrite and not as adding something.
 */
function actionText(lower: string): string {
  return withoutConstraints(lower.replace(/`[^`]*`/g, ' ').replace(/[\w$.]+\([^()\s]*\)/g, ' '));
}

export function readSignals(normalized: string): GoalSignals {
  const lower = normalized.toLowerCase();
  const action = actionText(lower);
  const testAuthoring = matches(TEST_AUTHORING, action);
  const withoutTestAuthoring = action.replace(TEST_AUTHORING, ' ');
  const classes = new Map<GoalClass, string[]>();
  for (const [cls, patterns] of Object.entries(CLASS_PATTERNS) as [GoalClass, readonly RegExp[]][]) {
    // Test authoring is not a greenfield feature; it is read separately above.
    const source = cls === 'greenfield' ? withoutTestAuthoring : action;
    const found = unique(patterns.flatMap((re) => matches(re, source)));
    if (found.length > 0) classes.set(cls, found);
  }

  const classWords = new Set<string>();
  for (const words of classes.values())
    for (const word of words) for (const w of word.split(' ')) classWords.add(w);
  for (const phrase of testAuthoring) for (const w of phrase.split(/\s+/)) classWords.add(w);

  const absolute = matches(ABSOLUTE_TARGET, lower);
  const relative = matches(RELATIVE_TARGET, lower);
  const measurable = absolute[0] ?? relative[0] ?? null;

  // What the goal works on, not what it forbids: "add no new dependencies" names no target (a goal
  // made only of constraints keeps its words). Numbers of a measurable target are not anchors.
  const work = withoutConstraints(normalized)
    .replace(/\b(?:and|but|while)\s*$/i, '')
    .trim();
  const scope = work === '' ? normalized : work;
  const withoutTargets = scope.replace(new RegExp(ABSOLUTE_TARGET.source, 'gi'), ' ');
  const quoted = matches(/"[^"]+"|`[^`]+`|'[^'\s][^']*[^'\s]'/g, scope);
  const targets = unique([
    ...matches(FAILING_SUITE, lower),
    ...quoted,
    ...tokens(withoutTargets).filter((token) => isConcreteToken(token, classWords)),
  ]);
  const vague = unique(
    tokens(lower).filter((token) => VAGUE_WORDS.has(token) || (classes.size === 0 && classWords.has(token))),
  );
  return {
    classes,
    testAuthoring,
    targets,
    vague,
    measurable,
    boundsPerformance: absolute.some((phrase) => /^(?:under|below|within|less than|at most|<)/.test(phrase)),
  };
}
