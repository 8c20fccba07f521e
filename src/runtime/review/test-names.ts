// Whether a test a runner names (`test/a.test.js::add > adds 2 + 3`, jest's `a.test.js > add ›
// adds`, `tests/test_x.py::TestX::test_y[1]`, `example.com/m/pkg::TestY/sub`, `tests::y`) is one a
// diff names by its declaration (`adds %i + %i`, `test_y`, `TestY`, `y`): a runner formats a
// table's test name (`it.each`, `test.each`) per row.

/** A table test's name holds a placeholder its runner fills per row: vitest's and jest's `%i`, `$a`. */
const PLACEHOLDER = /%[sdifjoOpc#%]|\$[A-Za-z_][\w.]*|\$#/g;

/** Whether the runner's `name` is among the `declared` names (a table's by its template). */
export function testNamed(name: string, declared: ReadonlySet<string>): boolean {
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
