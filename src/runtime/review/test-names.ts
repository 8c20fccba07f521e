// Whether a test a runner names (`test/a.test.js::add > adds 2 + 3`, jest's `a.test.js > add ›
// adds`, `tests/test_x.py::TestX::test_y[1]`, unittest's `tests.test_x.TestX.test_y`,
// `example.com/m/pkg::TestY/sub`, `tests::y`) is one a
// diff names by its declaration (`adds %i + %i`, `test_y`, `TestY`, `y`): a runner formats a
// table's test name (`it.each`, `test.each`) per row.

/** A table test's name holds a placeholder its runner fills per row: vitest's and jest's `%i`, `$a`. */
const PLACEHOLDER = /%[sdifjoOpc#%]|\$[A-Za-z_][\w.]*|\$#/g;

/** unittest's id, `tests.test_x.TestX.test_y`: dotted python identifiers, the method last. */
const UNITTEST_ID = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;

/**
 * Whether the runner's `name` is among the `declared` names (a table's by its template). A title
 * with a slash (jest's `leading/trailing`) is matched whole, and by what comes before the slash
 * (`go test`'s subtest `TestY/sub`).
 */
export function testNamed(name: string, declared: ReadonlySet<string>): boolean {
  if (UNITTEST_ID.test(name)) return declared.has(name.split('.').at(-1) ?? name);
  const last = name.split('::').at(-1) ?? name;
  // vitest and mocha join a test's describes by ` > `, jest by ` › `.
  const title = last.split(/ > | › /).at(-1) ?? last;
  const leaf = title.replace(/\[.*\]$/, '').split('/')[0] ?? title;
  if (declared.has(leaf) || declared.has(title)) return true;
  for (const template of declared) {
    if (!PLACEHOLDER.test(template)) continue;
    PLACEHOLDER.lastIndex = 0;
    if (templatePattern(template).test(title)) return true;
  }
  return false;
}

function templatePattern(template: string): RegExp {
  PLACEHOLDER.lastIndex = 0;
  const parts = template.split(PLACEHOLDER).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}
