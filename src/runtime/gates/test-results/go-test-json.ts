import { type TestResults, testResults } from './types.js';

interface GoTestEvent {
  Action?: unknown;
  Package?: unknown;
  Test?: unknown;
}

/** `# example.com/m/util` (or `# example.com/m/util [example.com/m/util.test]`): the go command's header. */
const PACKAGE_HEADER = /^# (\S+)/;
/** `util/util.go:8:2: fmt.Printf format %s has arg n of wrong type int`: a compile or vet error. */
const GO_DIAGNOSTIC = /^\S+\.go:\d+(?::\d+)?: /;

/**
 * `go test -json` (and gotestsum's --jsonfile): one JSON event per line; `pass`, `fail` and
 * `skip` events with a Test are results, named `package::Test/subtest`. A package that fails with
 * no failing test (it did not build) counts as one failed entry named after the package. So does
 * one that go reports only outside the JSON stream, as before Go 1.24: a `# <package>` header on
 * stderr followed by compile or vet errors (`go test` vets packages without test files too), so
 * an old vet error the base has as well is compared like a failing test, not by exit code alone.
 */
export function parseGoTestJson(output: string): TestResults | null {
  const passed: string[] = [];
  const failed: string[] = [];
  const failedPackages = new Set<string>();
  const passedPackages = new Set<string>();
  const packagesWithFailingTests = new Set<string>();
  const unreported = new Set<string>();
  let header: string | null = null;
  let skipped = 0;
  let found = false;
  for (const line of output.split(/\r?\n/)) {
    if (!line.startsWith('{')) {
      const named = PACKAGE_HEADER.exec(line)?.[1];
      if (named !== undefined) header = named;
      else if (header !== null && GO_DIAGNOSTIC.test(line)) unreported.add(header);
      continue;
    }
    header = null;
    let event: GoTestEvent;
    try {
      event = JSON.parse(line) as GoTestEvent;
    } catch {
      continue;
    }
    if (typeof event.Action !== 'string' || typeof event.Package !== 'string') continue;
    found = true;
    const pkg = event.Package;
    if (typeof event.Test !== 'string' || event.Test === '') {
      if (event.Action === 'fail') failedPackages.add(pkg);
      if (event.Action === 'pass') passedPackages.add(pkg);
      continue;
    }
    const name = `${pkg}::${event.Test}`;
    if (event.Action === 'pass') passed.push(name);
    else if (event.Action === 'skip') skipped += 1;
    else if (event.Action === 'fail') {
      failed.push(name);
      packagesWithFailingTests.add(pkg);
    }
  }
  if (!found) return null;
  for (const pkg of unreported) if (!passedPackages.has(pkg)) failedPackages.add(pkg);
  for (const pkg of failedPackages) if (!packagesWithFailingTests.has(pkg)) failed.push(pkg);
  return testResults('go-test-json', passed, failed, skipped);
}

/**
 * What `go test` would have printed without -json: each event's Output, and lines that are not
 * events (the go command's own errors) as they are. A first line cut mid-event is dropped.
 */
export function goTestConsole(text: string): string {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== undefined && !lines[0].startsWith('{') && lines[0].endsWith('}')) lines.shift();
  let console = '';
  for (const line of lines) {
    if (!line.startsWith('{')) {
      if (line !== '') console += `${line}\n`;
      continue;
    }
    try {
      const event = JSON.parse(line) as { Output?: unknown };
      if (typeof event.Output === 'string') console += event.Output;
    } catch {
      console += `${line}\n`;
    }
  }
  return console;
}
