import { checkRoutes } from './checks.js';
import { contentRoutes } from './contents.js';
import type { Handler } from './http.js';
import { issueRoutes } from './issues.js';
import { mergeRoutes } from './merge.js';
import { pullRoutes } from './pulls.js';
import { repoRoutes } from './repos.js';
import { reviewCommentRoutes } from './review-comments.js';
import { reviewRoutes } from './reviews.js';
import { statusRoutes } from './statuses.js';

/** Params that may hold slashes (`heads/omk/g/s`, a branch `omk/g/s`, a file path), encoded or not. */
const MULTI_SEGMENT = new Set(['ref', 'branch', 'path']);

export interface Route {
  /** `METHOD /path/{template}`, the key into the OpenAPI fixture. */
  operation: string;
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function compile(operation: string, handler: Handler): Route {
  const [method = '', template = ''] = operation.split(' ');
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (!param) return segment.replace(/[.*+?^$()|[\]\\-]/g, '\\$&');
      names.push(param);
      return MULTI_SEGMENT.has(param) ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { operation, method, pattern: new RegExp(`^${source}$`), names, handler };
}

export function createRoutes(): Route[] {
  const tables = [
    pullRoutes,
    mergeRoutes,
    reviewRoutes,
    reviewCommentRoutes,
    issueRoutes,
    checkRoutes,
    statusRoutes,
    repoRoutes,
    contentRoutes,
  ];
  return tables.flatMap((table) =>
    Object.entries(table).map(([operation, handler]) => compile(operation, handler)),
  );
}

/** Finds the operation for a request; path params come back percent-decoded. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(pathname);
    if (!found) continue;
    const params: Record<string, string> = {};
    let ok = true;
    route.names.forEach((name, index) => {
      try {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      } catch {
        ok = false;
      }
    });
    if (ok) return { route, params };
  }
  return null;
}
