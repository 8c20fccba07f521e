// Which tests a line of a JS/TS test file belongs to, read by its brackets rather than its
// indentation: a test's body written at column 0, a test name wrapped onto the line after `it(`,
// and an `it.each([...])` / `test.each\`...\`` table spanning many lines (its name comes after
// the table) all belong to the test whose call holds them. A line in a set-up hook (`beforeEach`,
// `afterAll`...) or elsewhere in a describe outside its tests (a helper, a shared value) belongs to
// every test of that describe; outside any describe, to every test of the file. Imports belong to
// no test. A tape or node:test subtest (`t.test('name', fn)` inside a test) is a test of its own.

/** A bracket (or template literal) the file opens, where it closes, and what call it belongs to. */
interface Opener {
  pos: number;
  char: string;
  /** Where it closes, or the file's end when it never does. */
  close: number;
  /** Where what it opens ends: a describe.each table's, at the end of the call after it. */
  scopeEnd: number;
  role: 'test' | 'describe' | 'hook' | 'import' | null;
  /** A test's table (`it.each([...])`, `test.each\`...\``): its lines are the test's cases. */
  table?: boolean;
  /** The test's name (a table's is the one its call gives after the table). */
  name: string | null;
}

const TEST_CHAIN =
  /^[xf]?(?:it|test|specify)(?:\.(?:only|skip|todo|concurrent|sequential|fails|failing|each|for|skipIf|runIf|fixme|slow))*$/;
const DESCRIBE_CHAIN =
  /^(?:[xf]?(?:describe|context|suite)|test\.describe)(?:\.(?:only|skip|todo|each|for|concurrent|sequential|shuffle|skipIf|runIf|serial|parallel|fixme))*$/;
/** tape's and node:test's subtest, `t.test('name', fn)`: a test when called inside a test. */
const SUBTEST_CHAIN = /^[A-Za-z_$][\w$]*\.test$/;
const HOOK_CHAIN =
  /^(?:test\.)?(?:beforeEach|afterEach|beforeAll|afterAll|before|after|setup|teardown|suiteSetup|suiteTeardown)$/;
const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** After one of these (or at the start), a `/` starts a regular expression, not a division. */
const REGEX_BEFORE = /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof|\bcase|\bin|\bof)\s*$/;

/**
 * For each line (0-based), the tests it belongs to: its own test's name (a table's test is named by
 * its template, as `it.each(...)('adds %i + %i', ...)` declares it), every test of its describe or
 * file for a set-up hook or other shared line, none for an import, a blank line or a comment.
 */
export function jsTestsByLine(lines: readonly string[]): string[][] {
  const { text, starts, openers, openAt } = read(lines);
  const tests = openers.filter((opener) => opener.role === 'test' && opener.name !== null);
  const namesWithin = (from: number, to: number) => [
    ...new Set(tests.filter((t) => t.pos > from && t.pos < to).map((t) => t.name as string)),
  ];
  const lineOf = (pos: number) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= pos) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const ownByLine = new Map<number, Opener[]>();
  for (const opener of openers) {
    const line = lineOf(opener.pos);
    ownByLine.set(line, [...(ownByLine.get(line) ?? []), opener]);
  }
  /** The tests of the innermost describe in `stack` (a describe.each's, its table's and its body's), else the file's. */
  const describeTests = (stack: readonly Opener[]) => {
    const describe = stack.findLast((o) => o.role === 'describe');
    return describe === undefined
      ? namesWithin(-1, text.length)
      : namesWithin(describe.pos, describe.scopeEnd);
  };
  return lines.map((line, index) => {
    if (line.trim() === '' || /^\s*(?:\/\/|\/\*|\*)/.test(line)) return [];
    const stack = openAt[index] ?? [];
    const own = ownByLine.get(index) ?? [];
    const test = own.find((o) => o.role === 'test' && o.name !== null);
    if (test !== undefined) return [test.name as string];
    // In a test, a call named like a hook or a describe (`context.read(`, a helper `setup(`) is the test's.
    const enclosing = stack.findLast((o) => o.role === 'test' && o.name !== null);
    if (enclosing !== undefined) return [enclosing.name as string];
    if (stack.some((o) => o.role === 'import')) return [];
    const describe = own.find((o) => o.role === 'describe');
    if (describe !== undefined) return namesWithin(describe.pos, describe.scopeEnd);
    if (own.some((o) => o.role === 'hook')) return describeTests(stack);
    // The innermost call the line is in that says whose line it is.
    for (let at = stack.length - 1; at >= 0; at--) {
      const opener = stack[at] as Opener;
      if (opener.role === 'hook') return describeTests(stack.slice(0, at));
      if (opener.role === 'describe') return describeTests(stack.slice(0, at + 1));
    }
    if (IMPORT.test(line) || own.some((o) => o.role === 'import')) return [];
    return namesWithin(-1, text.length);
  });
}

const IMPORT = /^\s*(?:import\b|export\s+(?:\{|\*)|(?:const|let|var)\s+[^=]+=\s*require\s*\()/;

/**
 * For each line (0-based), the test whose table (`it.each([...])`, `test.each\`...\``) holds it as
 * a case (a row, or a line of one), or null: not its `it.each(` line, its name's line, a tagged
 * table's heading, a blank, comment or closing line.
 */
export function jsTableRows(lines: readonly string[]): (string | null)[] {
  const { openAt, starts } = read(lines);
  return lines.map((line, index) => {
    // Not a blank, closing or comment line, nor the one that closes the table and names its test.
    if (/^\s*(?:[)\]},;]*|\/\/.*|\/\*.*|\*.*)\s*$|^\s*[)\]}`]+\s*\(/.test(line)) return null;
    const stack = openAt[index] ?? [];
    const at = stack.findLastIndex((o) => o.role === 'test');
    const table = stack[at];
    if (table?.table !== true || table.name === null) return null;
    if (stack.slice(at + 1).some((o) => o.role === 'test')) return null;
    // A tagged table's first line names its columns.
    if (table.char === '`') {
      const first = lines.findIndex((text, n) => (starts[n] ?? 0) > table.pos && text.trim() !== '');
      if (first === index) return null;
    }
    return table.name;
  });
}

function read(lines: readonly string[]) {
  const text = lines.join('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const { openers, openAt } = scan(text, starts);
  const index: OpenerIndex = {
    byClose: new Map(openers.filter((o) => o.close < text.length).map((o) => [o.close, o])),
    byPos: new Map(openers.map((o) => [o.pos, o])),
  };
  const tests: Opener[] = [];
  for (const opener of openers) {
    classify(text, opener, index, tests);
    if (opener.role === 'test') tests.push(opener);
  }
  return { text, starts, openers, openAt };
}

/** The brackets and template literals of the file, past strings, comments and regular expressions. */
function scan(text: string, starts: readonly number[]): { openers: Opener[]; openAt: Opener[][] } {
  const openers: Opener[] = [];
  const openAt: Opener[][] = [];
  const stack: Opener[] = [];
  let line = 0;
  let index = 0;
  const open = (char: string) => {
    const opener: Opener = {
      pos: index,
      char,
      close: text.length,
      scopeEnd: text.length,
      role: null,
      name: null,
    };
    openers.push(opener);
    stack.push(opener);
  };
  while (index < text.length) {
    while (line < starts.length && (starts[line] ?? 0) <= index) {
      openAt[line] = [...stack];
      line++;
    }
    const char = text[index] as string;
    const top = stack.at(-1);
    if (top?.char === '`') {
      // Inside a template literal: only `${` and its end matter.
      if (char === '\\') index += 2;
      else if (char === '`') {
        top.close = index;
        top.scopeEnd = index;
        stack.pop();
        index++;
      } else if (char === '$' && text[index + 1] === '{') {
        index++;
        open('${');
        index++;
      } else index++;
      continue;
    }
    if (char === '/' && text[index + 1] === '/') {
      index = endOf(text, '\n', index);
      continue;
    }
    if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 2;
      continue;
    }
    if (char === "'" || char === '"') {
      index = stringEnd(text, index);
      continue;
    }
    if (char === '/' && REGEX_BEFORE.test(text.slice(Math.max(0, index - 12), index))) {
      index = regexEnd(text, index);
      continue;
    }
    if (char === '`') open('`');
    else if (char in PAIRS) open(char);
    else if (char === ')' || char === ']' || char === '}') {
      const last = stack.at(-1);
      if (last !== undefined && (PAIRS[last.char] === char || (last.char === '${' && char === '}'))) {
        last.close = index;
        last.scopeEnd = index;
        stack.pop();
      }
    }
    index++;
  }
  while (line < starts.length) openAt[line++] = [...stack];
  return { openers, openAt };
}

function endOf(text: string, char: string, from: number): number {
  const end = text.indexOf(char, from);
  return end < 0 ? text.length : end;
}

/** Past the quoted string starting at `from` (a string never spans a line). */
function stringEnd(text: string, from: number): number {
  const quote = text[from];
  for (let index = from + 1; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === quote || char === '\n') return index + 1;
  }
  return text.length;
}

function regexEnd(text: string, from: number): number {
  let inClass = false;
  for (let index = from + 1; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '\n')
      return from + 1; // not a regular expression after all
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '/' && !inClass) return index + 1;
  }
  return from + 1;
}

/** The openers by where they open and where they close (each closing bracket closes one). */
interface OpenerIndex {
  byClose: ReadonlyMap<number, Opener>;
  byPos: ReadonlyMap<number, Opener>;
}

/**
 * What call an opener belongs to: a test's (and its name), a table's, a describe's, a hook's.
 * `tests`: the tests classified so far, every one opening before it (a subtest is in one).
 */
function classify(text: string, opener: Opener, openers: OpenerIndex, tests: readonly Opener[]): void {
  if (opener.char !== '(' && opener.char !== '`' && opener.char !== '{') return;
  const callee = calleeBefore(text, opener.pos, openers);
  if (callee === null) return;
  if (opener.char === '{') {
    if (/^(?:import|export)$/.test(callee.chain) && !callee.called) opener.role = 'import';
    return;
  }
  if (callee.chain === 'require' && !callee.called) {
    opener.role = 'import';
    return;
  }
  if (DESCRIBE_CHAIN.test(callee.chain)) {
    opener.role = 'describe';
    // describe.each's table: its rows are its body's tests' too.
    const next = skipSpace(text, opener.close + 1);
    const body = /\.(?:each|for)$/.test(callee.chain) && !callee.called && text[next] === '(';
    if (body) opener.scopeEnd = openers.byPos.get(next)?.close ?? opener.scopeEnd;
  } else if (HOOK_CHAIN.test(callee.chain) && !callee.called) opener.role = 'hook';
  else if (TEST_CHAIN.test(callee.chain) || (SUBTEST_CHAIN.test(callee.chain) && inTest(opener, tests))) {
    const name = opener.char === '(' ? stringAfter(text, opener.pos + 1) : null;
    if (name !== null) {
      opener.role = 'test';
      opener.name = name;
    } else if (/\.(?:each|for)$/.test(callee.chain) && !callee.called) {
      // The table: its test is named by the call after it, `(...)('name', fn)`.
      const next = skipSpace(text, opener.close + 1);
      opener.role = 'test';
      opener.table = true;
      opener.name = text[next] === '(' ? stringAfter(text, next + 1) : null;
    }
  }
}

function inTest(opener: Opener, tests: readonly Opener[]): boolean {
  return tests.some((test) => !test.table && test.pos < opener.pos && opener.pos < test.close);
}

/**
 * The member chain called at `pos` (`it.each`, `describe`), and whether that chain was called
 * before (`it.each([...])(` is it.each's second call): `called` is set when a `)` or a template
 * literal stands right before `pos`.
 */
function calleeBefore(
  text: string,
  pos: number,
  openers: OpenerIndex,
): { chain: string; called: boolean } | null {
  let end = pos;
  while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
  const before = text[end - 1];
  if (before === ')' || before === '`') {
    const inner = openers.byClose.get(end - 1);
    if (inner === undefined || inner.char !== (before === ')' ? '(' : '`')) return null;
    const chain = calleeBefore(text, inner.pos, openers);
    return chain === null ? null : { chain: chain.chain, called: true };
  }
  let start = end;
  while (start > 0 && end - start < 80 && /[\w$.]/.test(text[start - 1] ?? '')) start--;
  return start === end ? null : { chain: text.slice(start, end), called: false };
}

function skipSpace(text: string, from: number): number {
  let index = from;
  for (;;) {
    while (index < text.length && /\s/.test(text[index] ?? '')) index++;
    if (text.startsWith('//', index)) index = endOf(text, '\n', index);
    else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 2;
    } else return index;
  }
}

/** The string literal that is the call's first argument, if it is one. */
function stringAfter(text: string, from: number): string | null {
  const start = skipSpace(text, from);
  const quote = text[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return null;
  let name = '';
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '\\') {
      name += text[index + 1] ?? '';
      index++;
    } else if (char === quote) return name;
    else if (char === '\n' && quote !== '`') return null;
    else name += char;
  }
  return null;
}
