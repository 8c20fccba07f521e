import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validation against GitHub's published OpenAPI description of the operations omk uses
 * (test/fixtures/github-openapi.json, written by scripts/extract-openapi.mjs). The whole fixture
 * is registered once under FIXTURE_ID, so every operation's schemas share the compiled
 * `#/components/schemas/*` they reference.
 */

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: unknown;
}

export interface OperationSpec {
  operationId: string;
  parameters: ParameterSpec[];
  requestBody: { required: boolean; schema: unknown } | null;
  responses: Record<string, { schema: unknown }>;
}

interface Fixture {
  operations: Record<string, OperationSpec>;
  components: { schemas: Record<string, unknown> };
}

export interface SchemaIssue {
  path: string;
  message: string;
}

const FIXTURE_ID = 'https://fake-github.invalid/github-openapi.json';
const FIXTURE_URL = new URL('../fixtures/github-openapi.json', import.meta.url);

function pointer(...segments: string[]): string {
  const escaped = segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1')));
  return `${FIXTURE_ID}#/${escaped.join('/')}`;
}

function issues(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath || '/',
    message: `${e.message ?? 'invalid'}${Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''}`,
  }));
}

function makeAjv(coerceTypes: boolean, fixture: Fixture): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats.default(ajv);
  // GitHub's own format for `owner/name` (pulls/create `head_repo`).
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  ajv.addSchema({ ...fixture, $id: FIXTURE_ID });
  return ajv;
}

export class SchemaValidator {
  readonly operations: Readonly<Record<string, OperationSpec>>;
  private readonly exact: Ajv;
  private readonly coercing: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    const fixture = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Fixture;
    this.operations = fixture.operations;
    this.exact = makeAjv(false, fixture);
    this.coercing = makeAjv(true, fixture);
  }

  private compile(key: string, ajv: Ajv, schema: object): ValidateFunction {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = ajv.compile(schema);
      this.cache.set(key, fn);
    }
    return fn;
  }

  /**
   * Validates path and query parameters, coercing them in place to the types the schema names
   * (`per_page` → number), so handlers read typed values.
   */
  validateParams(operation: string, values: Record<string, unknown>): SchemaIssue[] {
    const spec = this.operations[operation];
    if (!spec) return [{ path: '/', message: `operation ${operation} is not in the fixture` }];
    const properties: Record<string, object> = {};
    const required: string[] = [];
    spec.parameters.forEach((p, index) => {
      if (p.in !== 'path' && p.in !== 'query') return;
      properties[p.name] = { $ref: pointer('operations', operation, 'parameters', String(index), 'schema') };
      if (p.required) required.push(p.name);
    });
    const fn = this.compile(`params ${operation}`, this.coercing, { type: 'object', properties, required });
    return fn(values) ? [] : issues(fn.errors);
  }

  validateBody(operation: string, body: unknown): SchemaIssue[] {
    const spec = this.operations[operation];
    if (!spec) return [{ path: '/', message: `operation ${operation} is not in the fixture` }];
    if (!spec.requestBody) {
      return body === undefined ? [] : [{ path: '/', message: 'this operation takes no request body' }];
    }
    if (body === undefined) {
      return spec.requestBody.required ? [{ path: '/', message: 'a request body is required' }] : [];
    }
    const fn = this.compile(`body ${operation}`, this.exact, {
      $ref: pointer('operations', operation, 'requestBody', 'schema'),
    });
    return fn(body) ? [] : issues(fn.errors);
  }

  /**
   * Validates a response body against the documented schema for its status. An error status the
   * operation does not document is checked against `basic-error`, which every GitHub error fits.
   */
  validateResponse(operation: string, status: number, body: unknown): SchemaIssue[] {
    const spec = this.operations[operation];
    if (!spec) return [{ path: '/', message: `operation ${operation} is not in the fixture` }];
    const documented = spec.responses[String(status)];
    let ref: string;
    if (documented) {
      if (documented.schema === null) {
        return body === undefined ? [] : [{ path: '/', message: `status ${status} has no body` }];
      }
      ref = pointer('operations', operation, 'responses', String(status), 'schema');
    } else if (status >= 400) {
      ref = pointer('components', 'schemas', 'basic-error');
    } else {
      return [{ path: '/', message: `status ${status} is not documented for ${operation}` }];
    }
    if (body === undefined) return [{ path: '/', message: `status ${status} needs a body` }];
    const fn = this.compile(`response ${ref}`, this.exact, { $ref: ref });
    return fn(body) ? [] : issues(fn.errors);
  }
}

let shared: SchemaValidator | undefined;

/** One validator per process: compiling GitHub's schemas is the slow part of starting a server. */
export function sharedValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}
