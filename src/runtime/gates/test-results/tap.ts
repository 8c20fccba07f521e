import { plainLines, type TestResults, testResults } from './types.js';

const POINT = /^( *)(not ok|ok)\b(?:\s+\d+)?(?:\s*-\s*|\s+)?(.*)$/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;

interface Point {
  name: string;
  ok: boolean;
  skipped: boolean;
}

/**
 * TAP 13/14, as node --test (its `tap` reporter), tape and node-tap print it. Subtests are
 * indented four spaces and come before their parent's line; a parent is not a test of its own
 * (unless it failed with no failing subtest, e.g. a failing hook), and its name prefixes its
 * subtests': `suite > test`. Null without a plan or version line and a test point.
 */
export function parseTap(output: string): TestResults | null {
  const lines = plainLines(output);
  if (!lines.some((line) => /^\s*(?:TAP version \d+|1\.\.\d+)\s*$/.test(line))) return null;
  const pending = new Map<number, Point[]>();
  let found = false;
  let inYaml = false;
  for (const line of lines) {
    // A YAML diagnostic block (`---` … `...`) may hold any text, even lines that look like results.
    if (/^\s*---\s*$/.test(line)) inYaml = true;
    else if (/^\s*\.\.\.\s*$/.test(line)) inYaml = false;
    if (inYaml) continue;
    const match = POINT.exec(line);
    if (match === null) continue;
    found = true;
    const depth = Math.floor((match[1] ?? '').length / 4);
    const ok = match[2] === 'ok';
    const raw = match[3] ?? '';
    const skipped = DIRECTIVE.test(raw);
    const name = raw.replace(DIRECTIVE, '').replace(/\\#/g, '#').trim();
    const children = pending.get(depth + 1) ?? [];
    pending.delete(depth + 1);
    const here = pending.get(depth) ?? [];
    pending.set(depth, here);
    if (children.length === 0) {
      here.push({ name, ok, skipped });
      continue;
    }
    for (const child of children) here.push({ ...child, name: `${name} > ${child.name}` });
    if (!ok && !skipped && children.every((child) => child.ok)) here.push({ name, ok, skipped });
  }
  if (!found) return null;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const point of [...pending.values()].flat()) {
    if (point.skipped) skipped += 1;
    else if (point.ok) passed.push(point.name);
    else failed.push(point.name);
  }
  return testResults('tap', passed, failed, skipped);
}
