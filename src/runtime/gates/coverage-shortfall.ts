/**
 * Coverage thresholds a run says it missed, read from the lines the runners print: istanbul's
 * wording (vitest's coverage providers, nyc, c8), jest's, pytest-cov's and coverage.py's. A
 * threshold is identified by its metric, its scope (global, a glob, a file) and its level; the
 * figure is how far the run got.
 */
export interface CoverageShortfall {
  /** `lines below 80% (global)`, `total below 80%` (coverage.py): the same threshold on the head and the base has the same key. */
  key: string;
  /** The covered percentage, or the count of uncovered items for a threshold on that count. */
  figure: number;
  /** A threshold on a count of uncovered items: a higher figure is worse. */
  uncoveredCount: boolean;
  /** The line as printed. */
  line: string;
}

/**
 * `ERROR: Coverage for lines (35.29%) does not meet global threshold (80%)`, with `"src/**"` for a
 * glob's threshold or `threshold (80%) for src/a.ts` for a file's (vitest 1-4, nyc, c8).
 */
const ISTANBUL_PERCENT =
  /^ERROR: Coverage for (\w+) \(([\d.]+)%\) does not meet (?:(global|"[^"]*") )?threshold \(([\d.]+)%\)(?: for (.+))?$/;
/** `ERROR: Uncovered lines (12) exceed global threshold (10)`: a negative threshold. */
const ISTANBUL_COUNT =
  /^ERROR: Uncovered (\w+) \((\d+)\) exceed (?:(global|"[^"]*") )?threshold \((\d+)\)(?: for (.+))?$/;
/** `Jest: "global" coverage threshold for lines (80%) not met: 25%` (jest 24-30). */
const JEST_PERCENT = /^Jest: "([^"]+)" coverage threshold for (\w+) \(([\d.]+)%\) not met: ([\d.]+)%$/;
/** `Jest: Uncovered count for lines (12) exceeds global threshold (10)`. */
const JEST_COUNT = /^Jest: Uncovered count for (\w+) \((\d+)\) exceeds (.+) threshold \((\d+)\)$/;

/**
 * `FAIL Required test coverage of 80% not reached. Total coverage: 43.48%` (pytest-cov 2-6; `80.0%`
 * when the level is coverage's `fail_under`).
 */
const PYTEST_COV = /^FAIL Required test coverage of ([\d.]+)% not reached\. Total coverage: ([\d.]+)%$/;
/**
 * `Coverage failure: total of 34 is less than fail-under=80` (coverage.py's `coverage report`, its
 * total rounded to its precision; pytest-cov 5 and later print it too, after `ERROR: `).
 */
const COVERAGE_PY =
  /^(?:ERROR: )?Coverage failure: total of ([\d.]+)%? is less than fail[-_]under=([\d.]+)%?$/;

/** The shortfall a line reports, or null when it reports none. */
export function coverageShortfall(text: string): CoverageShortfall | null {
  const line = text.trim();
  const percent = ISTANBUL_PERCENT.exec(line);
  if (percent !== null) {
    const [, metric, figure, scope, level, file] = percent;
    return shortfall(line, `${metric} below ${level}% (${file ?? unquoted(scope)})`, figure, false);
  }
  const count = ISTANBUL_COUNT.exec(line);
  if (count !== null) {
    const [, metric, figure, scope, level, file] = count;
    return shortfall(line, `uncovered ${metric} above ${level} (${file ?? unquoted(scope)})`, figure, true);
  }
  const jest = JEST_PERCENT.exec(line);
  if (jest !== null) {
    const [, scope, metric, level, figure] = jest;
    return shortfall(line, `${metric} below ${level}% (${scope})`, figure, false);
  }
  const jestCount = JEST_COUNT.exec(line);
  if (jestCount !== null) {
    const [, metric, figure, scope, level] = jestCount;
    return shortfall(line, `uncovered ${metric} above ${level} (${scope})`, figure, true);
  }
  const pytestCov = PYTEST_COV.exec(line);
  if (pytestCov !== null) return totalShortfall(line, pytestCov[1], pytestCov[2]);
  const coveragePy = COVERAGE_PY.exec(line);
  if (coveragePy !== null) return totalShortfall(line, coveragePy[2], coveragePy[1]);
  return null;
}

/** Every shortfall an output reports, by key (the last line for a key wins). */
export function coverageShortfalls(output: string): Map<string, CoverageShortfall> {
  const found = new Map<string, CoverageShortfall>();
  for (const line of output.split('\n')) {
    const shortfall = coverageShortfall(line);
    if (shortfall !== null) found.set(shortfall.key, shortfall);
  }
  return found;
}

/**
 * The head's shortfall against the base's for the same threshold: the base's debt when the base
 * misses it too with a figure no better; not when it got worse or the base's output does not show
 * it missed (met, or not reported).
 */
export function comparedShortfall(
  head: CoverageShortfall,
  base: ReadonlyMap<string, CoverageShortfall>,
): { debt: boolean; words: string } {
  const unit = head.uncoveredCount ? '' : '%';
  const here = `${head.key}: ${head.figure}${unit} here`;
  const before = base.get(head.key);
  if (before === undefined) return { debt: false, words: `${here}, not missed in the base's output` };
  const worse = head.uncoveredCount ? head.figure > before.figure : head.figure < before.figure;
  return { debt: !worse, words: `${here}, ${before.figure}${unit} on the base` };
}

function shortfall(line: string, key: string, figure: string | undefined, uncoveredCount: boolean) {
  return { key, figure: Number(figure), uncoveredCount, line };
}

/** coverage.py's total below its fail-under: `80` (--cov-fail-under) and `80.0` (fail_under) are one threshold. */
function totalShortfall(line: string, level: string | undefined, figure: string | undefined) {
  return shortfall(line, `total below ${Number(level)}%`, figure, false);
}

function unquoted(scope: string | undefined): string {
  return (scope ?? '').replace(/^"(.*)"$/, '$1');
}
