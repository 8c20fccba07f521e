/** The `example.com/calc` module the Go tests share: `Add` and `Mul`, each with a test. */
export const GO_MODULE = 'example.com/calc';

/** `calc.go`: `Add` returning `add`, `Mul` returning `mul`, after `head` (a comment, say). */
export const goCalc = (add: string, mul = 'a * b', head = '') =>
  `${head}package calc\n\nfunc Add(a, b int) int {\n\treturn ${add}\n}\n\nfunc Mul(a, b int) int {\n\treturn ${mul}\n}\n`;

/** `calc_test.go`: TestAdd (2 + 3 = 5) and TestMul (2 * 3 = 6). */
export const GO_CALC_TESTS = [
  'package calc',
  '',
  'import "testing"',
  '',
  'func TestAdd(t *testing.T) {',
  '\tif got := Add(2, 3); got != 5 {',
  '\t\tt.Fatalf("Add(2, 3) = %d, want 5", got)',
  '\t}',
  '}',
  '',
  'func TestMul(t *testing.T) {',
  '\tif got := Mul(2, 3); got != 6 {',
  '\t\tt.Fatalf("Mul(2, 3) = %d, want 6", got)',
  '\t}',
  '}',
  '',
].join('\n');
