// Extracts the GitHub REST operations omk uses from GitHub's published OpenAPI description
// (`@octokit/openapi`, generated/api.github.com.json) into test/fixtures/github-openapi.json, which
// the fake GitHub server (test/fake-github) validates every request and response against.
//
// @octokit/openapi is ~385 MB, so it is deliberately not a dependency. Either:
//   npm install --no-save @octokit/openapi && node scripts/extract-openapi.mjs
// or install it anywhere else and point at the file:
//   npm install --prefix /tmp/oa @octokit/openapi
//   node scripts/extract-openapi.mjs --spec /tmp/oa/node_modules/@octokit/openapi/generated/api.github.com.json
//
// What the fixture keeps, per operation: parameters (name, in, required, schema), the JSON request
// body schema, and the JSON response schema of each status code listed below. Component schemas
// stay as `$ref`s into a `components.schemas` subset holding only what those refs reach; parameter,
// response and header refs are inlined. Annotations (description, example, title, x-*) are pruned
// and OpenAPI 3.0 `nullable` is rewritten to plain JSON Schema (`type: [t, "null"]`), so any JSON
// Schema validator (ajv) reads the fixture without OpenAPI extensions.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const defaultOut = join(root, 'test/fixtures/github-openapi.json');

/** method + path template → the response status codes the fake server sends (or may inject). */
const OPERATIONS = {
  'POST /repos/{owner}/{repo}/pulls': [201, 403, 422],
  'GET /repos/{owner}/{repo}/pulls': [200],
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': [200, 404],
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': [200, 403, 422],
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': [200, 403, 404, 405, 409, 422],
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': [200],
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments': [200, 404],
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies': [201, 404],
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': [200, 403, 422],
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': [200, 404, 422],
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}': [200, 404],
  'POST /repos/{owner}/{repo}/check-runs': [201],
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': [200],
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': [200],
  'GET /repos/{owner}/{repo}/commits/{ref}/status': [200, 404],
  'POST /repos/{owner}/{repo}/statuses/{sha}': [201],
  'GET /repos/{owner}/{repo}/branches/{branch}/protection': [200, 404],
  'GET /repos/{owner}/{repo}': [200, 403, 404],
  'GET /repos/{owner}/{repo}/git/ref/{ref}': [200, 404],
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': [201, 403, 404, 422],
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': [200, 404],
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': [200, 422],
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': [200, 201, 422],
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': [200, 204],
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': [200, 404],
  'GET /repos/{owner}/{repo}/contents/{path}': [200, 403, 404],
};

/** Schemas every operation may answer with (401, injected faults, unknown statuses). */
const ALWAYS = ['basic-error'];

/** Schema keywords that hold one subschema, a list of them, or a map of them. */
const ONE = ['additionalProperties', 'items', 'not', 'contains', 'propertyNames', 'if', 'then', 'else'];
const MANY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', '$defs', 'definitions'];
const PRUNED = new Set(['description', 'example', 'examples', 'title', 'externalDocs', 'deprecated']);

function parseArgs(argv) {
  const args = { spec: null, out: defaultOut };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--spec' || flag === '--out') && value) {
      args[flag.slice(2)] = value;
      i += 1;
    } else {
      throw new Error(
        `Unknown argument ${flag}. Usage: extract-openapi.mjs [--spec <api.github.com.json>] [--out <file>]`,
      );
    }
  }
  return args;
}

function locateSpec(explicit) {
  if (explicit) return explicit;
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('@octokit/openapi/package.json');
    return join(dirname(pkg), 'generated/api.github.com.json');
  } catch {
    throw new Error(
      '@octokit/openapi is not installed (it is ~385 MB and deliberately not a dependency).\n' +
        'Run `npm install --no-save @octokit/openapi` and re-run this script, or install it elsewhere\n' +
        '(`npm install --prefix /tmp/oa @octokit/openapi`) and pass\n' +
        '`--spec /tmp/oa/node_modules/@octokit/openapi/generated/api.github.com.json`.',
    );
  }
}

function lookup(spec, ref) {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node?.[key];
  }
  if (node === undefined) throw new Error(`Dangling $ref ${ref}`);
  return node;
}

/** Follows a non-schema ref (parameter, response, header) to the object it names. */
function deref(spec, node) {
  let current = node;
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    current = lookup(spec, current.$ref);
  }
  return current;
}

/** Rewrites one schema: prunes annotations, turns `nullable` into null types, collects refs. */
function cleanSchema(schema, refs) {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (typeof schema.$ref === 'string') {
    const prefix = '#/components/schemas/';
    if (!schema.$ref.startsWith(prefix)) throw new Error(`Unexpected schema $ref ${schema.$ref}`);
    refs.add(schema.$ref.slice(prefix.length));
    return { $ref: schema.$ref };
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (PRUNED.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (ONE.includes(key) && typeof value === 'object') out[key] = cleanSchema(value, refs);
    else if (MANY.includes(key)) out[key] = value.map((item) => cleanSchema(item, refs));
    else if (MAP.includes(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanSchema(v, refs)]));
    } else out[key] = value;
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function jsonSchemaOf(content) {
  const media = content?.['application/json'] ?? content?.['application/scim+json'];
  return media?.schema ?? null;
}

function extractOperation(spec, key, statuses, refs) {
  const [method, path] = key.split(' ');
  const item = spec.paths[path];
  const op = item?.[method.toLowerCase()];
  if (!op) throw new Error(`The spec has no operation ${key}; was it renamed?`);
  const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((raw) => {
    const p = deref(spec, raw);
    return {
      name: p.name,
      in: p.in,
      required: p.required === true,
      schema: cleanSchema(p.schema ?? {}, refs),
    };
  });
  let requestBody = null;
  if (op.requestBody) {
    const body = deref(spec, op.requestBody);
    const schema = jsonSchemaOf(body.content);
    if (schema) requestBody = { required: body.required === true, schema: cleanSchema(schema, refs) };
  }
  const responses = {};
  for (const status of statuses) {
    const raw = op.responses[String(status)];
    if (!raw)
      throw new Error(`${key} documents no ${status} response (it has ${Object.keys(op.responses)}).`);
    const response = deref(spec, raw);
    const schema = jsonSchemaOf(response.content);
    responses[status] = { schema: schema ? cleanSchema(schema, refs) : null };
  }
  return { operationId: op.operationId, parameters, requestBody, responses };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const specPath = locateSpec(args.spec);
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  let version = 'unknown';
  try {
    version = JSON.parse(readFileSync(join(dirname(specPath), '..', 'package.json'), 'utf8')).version;
  } catch {
    // A spec passed by path need not sit inside the package.
  }
  const refs = new Set(ALWAYS);
  const operations = {};
  for (const [key, statuses] of Object.entries(OPERATIONS)) {
    operations[key] = extractOperation(spec, key, statuses, refs);
  }
  // Close over the refs the kept component schemas reach.
  const schemas = {};
  const pending = [...refs];
  while (pending.length > 0) {
    const name = pending.pop();
    if (name in schemas) continue;
    const found = new Set();
    schemas[name] = cleanSchema(lookup(spec, `#/components/schemas/${name}`), found);
    for (const next of found) if (!(next in schemas)) pending.push(next);
  }
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  const fixture = {
    $comment:
      'Generated by scripts/extract-openapi.mjs from @octokit/openapi generated/api.github.com.json; do not edit. ' +
      'Annotations are pruned and OpenAPI `nullable` is rewritten to JSON Schema null types.',
    source: { package: '@octokit/openapi', version, openapi: spec.openapi, apiVersion: spec.info?.version },
    operations,
    components: { schemas: sorted },
  };
  const text = `${JSON.stringify(fixture, null, 1)}\n`;
  writeFileSync(args.out, text);
  const kb = (Buffer.byteLength(text) / 1024).toFixed(0);
  console.log(
    `Wrote ${relative(process.cwd(), args.out)}: ${Object.keys(operations).length} operations, ` +
      `${Object.keys(sorted).length} component schemas, ${kb} KiB (from @octokit/openapi ${version}).`,
  );
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
