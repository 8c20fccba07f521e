import type { BareRepo } from './bare-repo.js';
import type { Site } from './shapes.js';
import type { FakeState, Ids, Permission } from './state.js';

/** What a handler sees: params already validated (and coerced) against the operation's schema. */
export interface ApiRequest {
  method: string;
  url: URL;
  params: Fields;
  body: Fields;
  /** The raw parsed JSON body (validated against the operation's request schema). */
  rawBody: unknown;
  /** The login the token belongs to. */
  login: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * The body sent instead of `body` when the client asks for the raw media type
   * (`Accept: application/vnd.github.raw`); `body` is what the schema check sees.
   */
  raw?: string;
}

export interface Ctx {
  site: Site;
  state: FakeState;
  ids: Ids;
  git: BareRepo;
  permissionOf(login: string): Permission;
}

export type Handler = (req: ApiRequest, ctx: Ctx) => Promise<ApiResponse>;

const DOCS = 'https://docs.github.com/rest';

/** Typed reads from an object already validated by its schema; wrong types read as undefined. */
export class Fields {
  private readonly record: Record<string, unknown>;

  constructor(value: unknown) {
    this.record = isRecord(value) ? value : {};
  }

  has(key: string): boolean {
    return this.record[key] !== undefined;
  }

  str(key: string): string | undefined {
    const v = this.record[key];
    return typeof v === 'string' ? v : undefined;
  }

  num(key: string): number | undefined {
    const v = this.record[key];
    return typeof v === 'number' ? v : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.record[key];
    return typeof v === 'boolean' ? v : undefined;
  }

  obj(key: string): Fields {
    return new Fields(this.record[key]);
  }

  list(key: string): unknown[] {
    const v = this.record[key];
    return Array.isArray(v) ? v : [];
  }

  raw(key: string): unknown {
    return this.record[key];
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function json(status: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return headers ? { status, body, headers } : { status, body };
}

export function noContent(): ApiResponse {
  return { status: 204 };
}

export function notFound(docs = DOCS): ApiResponse {
  return json(404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

export function message(status: number, text: string, docs = DOCS): ApiResponse {
  return json(status, { message: text, documentation_url: docs, status: String(status) });
}

export interface ValidationItem {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** GitHub's 422 shape: `{ message: 'Validation Failed', errors: [...], documentation_url }`. */
export function validationFailed(errors: ValidationItem[], docs = DOCS): ApiResponse {
  return json(422, { message: 'Validation Failed', errors, documentation_url: docs, status: '422' });
}

/**
 * Pages a list the way GitHub does: `per_page` (default 30, at most 100) and `page` (from 1),
 * with a `link` header naming first/prev/next/last pages by absolute URL.
 */
export function paginate<T>(
  req: ApiRequest,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(req.params.num('per_page') ?? 30, 1), 100);
  const page = Math.max(req.params.num('page') ?? 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (n: number, rel: string) => {
    const target = new URL(req.url);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return { items: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}
