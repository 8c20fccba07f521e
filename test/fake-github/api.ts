import type { IncomingMessage } from 'node:http';
import { type ApiResponse, type Ctx, Fields, json, message } from './http.js';
import type { HeldCall, InjectedFault, LostAnswer, RecordedRequest, SchemaErrorRecord } from './records.js';
import { matchRoute, type Route } from './router.js';
import type { SchemaIssue, SchemaValidator } from './validate.js';

export interface ApiDeps {
  ctx: Ctx;
  routes: readonly Route[];
  validator: SchemaValidator;
  /** token → login */
  tokens: ReadonlyMap<string, string>;
  faults: InjectedFault[];
  /** Answers to replace after the handler ran, for the next call of each operation id. */
  lostAnswers: LostAnswer[];
  /** Calls to hold (at most one per operation id and phase is taken per call). */
  holds: HeldCall[];
  schemaErrors: SchemaErrorRecord[];
}

export interface ApiOutcome {
  response: ApiResponse;
  record: Omit<RecordedRequest, 'status' | 'responseBody' | 'kind' | 'method' | 'path' | 'query'>;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** `authorization: token <t>` or `Bearer <t>` → the login the token belongs to. */
export function apiLogin(header: string | undefined, tokens: ReadonlyMap<string, string>): string | null {
  const found = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return found?.[1] ? (tokens.get(found[1]) ?? null) : null;
}

function schemaFailure(issues: SchemaIssue[], phase: string): ApiResponse {
  return json(500, {
    message: `fake-github: ${phase} does not match GitHub's OpenAPI description`,
    documentation_url: 'https://docs.github.com/rest',
    errors: issues,
  });
}

/**
 * Answers one API request: auth, route, parameter and body validation, fault injection, the
 * handler, then validation of what the handler answers. Never throws.
 */
export async function handleApi(
  deps: ApiDeps,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
): Promise<ApiOutcome> {
  const method = req.method ?? 'GET';
  const base = { operation: null, operationId: null, body: undefined, injected: false, unexpected: false };
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return {
        response: message(400, 'Problems parsing JSON'),
        record: { ...base, body: raw.toString('utf8') },
      };
    }
  }
  const login = apiLogin(req.headers.authorization, deps.tokens);
  if (login === null) {
    const text = req.headers.authorization ? 'Bad credentials' : 'Requires authentication';
    return { response: message(401, text), record: { ...base, body } };
  }
  const match = matchRoute(deps.routes, method, url.pathname);
  if (!match) return { response: message(404, 'Not Found'), record: { ...base, body, unexpected: true } };
  const operation = match.route.operation;
  const spec = deps.validator.operations[operation];
  const record = { ...base, body, operation, operationId: spec?.operationId ?? null, login };
  const { site } = deps.ctx;
  const owner = match.params.owner ?? '';
  const repo = match.params.repo ?? '';
  if (owner.toLowerCase() !== site.owner.toLowerCase() || repo.toLowerCase() !== site.repo.toLowerCase()) {
    return { response: message(404, 'Not Found'), record };
  }

  const fail = (phase: SchemaErrorRecord['phase'], issues: SchemaIssue[], status: number | null = null) => {
    deps.schemaErrors.push({ method, path: url.pathname, operation, phase, status, issues });
  };
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  Object.assign(params, match.params);
  const paramIssues = deps.validator.validateParams(operation, params);
  if (paramIssues.length > 0) fail('params', paramIssues);
  const bodyIssues = deps.validator.validateBody(operation, body);
  if (bodyIssues.length > 0) fail('request', bodyIssues);
  if (paramIssues.length > 0 || bodyIssues.length > 0) {
    return { response: schemaFailure([...paramIssues, ...bodyIssues], 'request'), record };
  }

  const held = takeHold(deps.holds, record.operationId, 'before');
  if (held) {
    await held.act();
    return {
      response: message(503, 'fake-github: the call was dropped'),
      record: { ...record, injected: true },
    };
  }

  const fault = deps.faults.shift();
  if (fault) {
    return {
      response: { status: fault.status, body: fault.body, headers: fault.headers },
      record: { ...record, injected: true },
    };
  }

  let response: ApiResponse;
  try {
    response = await match.route.handler(
      { method, url, params: new Fields(params), body: new Fields(body), rawBody: body, login },
      deps.ctx,
    );
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return {
      response: message(500, `fake-github handler crashed: ${text}`),
      record: { ...record, unexpected: true },
    };
  }
  const responseIssues = deps.validator.validateResponse(operation, response.status, response.body);
  if (responseIssues.length > 0) {
    fail('response', responseIssues, response.status);
    return { response: schemaFailure(responseIssues, `the fake's ${response.status} response`), record };
  }
  const heldAfter = takeHold(deps.holds, record.operationId, 'after');
  if (heldAfter) await heldAfter.act();
  const lost = deps.lostAnswers.findIndex((answer) => answer.operationId === record.operationId);
  const answer = lost >= 0 ? deps.lostAnswers.splice(lost, 1)[0] : undefined;
  if (answer) {
    return {
      response: { status: answer.status, body: answer.body, headers: answer.headers },
      record: { ...record, injected: true },
    };
  }
  return { response, record };
}

function takeHold(
  holds: HeldCall[],
  operationId: string | null,
  phase: HeldCall['phase'],
): HeldCall | undefined {
  const index = holds.findIndex((hold) => hold.operationId === operationId && hold.phase === phase);
  return index >= 0 ? holds.splice(index, 1)[0] : undefined;
}
