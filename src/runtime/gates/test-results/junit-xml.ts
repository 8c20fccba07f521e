import { type TestResults, testResults } from './types.js';

const TESTCASE = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase\s*>)/g;
const ATTRIBUTE = /([A-Za-z_:][-\w:.]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

/**
 * JUnit XML as jest-junit, vitest, pytest, cargo-nextest, gotestsum, Maven and Gradle write it:
 * every <testcase>, failed when it holds <failure> or <error>, skipped when it holds <skipped>.
 * The name is `classname::name` (just `name` without a classname). Null when no test case is found.
 */
export function parseJunitXml(xml: string): TestResults | null {
  // Failure messages may hold anything, including text that looks like tags.
  const text = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  let found = false;
  for (const match of text.matchAll(TESTCASE)) {
    found = true;
    const attributes = readAttributes(match[1] ?? '');
    const name = attributes.get('name') ?? '';
    const classname = attributes.get('classname') ?? '';
    const full = classname === '' ? name : `${classname}::${name}`;
    const body = match[3] ?? '';
    if (/<(?:failure|error)\b/.test(body)) failed.push(full);
    else if (/<skipped\b/.test(body)) skipped += 1;
    else passed.push(full);
  }
  return found ? testResults('junit-xml', passed, failed, skipped) : null;
}

function readAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(ATTRIBUTE)) {
    attributes.set(match[1] ?? '', decodeEntities(match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity] ?? '';
  });
}
