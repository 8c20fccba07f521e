import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';

export interface GitHttpRequest {
  bareRepoPath: string;
  /** The path after `/<owner>/<repo>.git`, e.g. `/info/refs` or `/git-receive-pack`. */
  rest: string;
  query: string;
  /** Set as REMOTE_USER, which is what enables receive-pack (push) in http-backend. */
  user: string;
  /**
   * Holds this request while `act` runs (the harness kills the client): `before` http-backend
   * sees it (then drops it: nothing is pushed), or `after` it is carried out (its answer lost).
   */
  hold?: GitHold;
}

export interface GitHold {
  phase: 'before' | 'after';
  act: () => Promise<void>;
}

function headerEnd(buffer: Buffer): { index: number; length: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  return lf >= 0 ? { index: lf, length: 2 } : null;
}

/**
 * Serves git smart HTTP by running `git http-backend` as a CGI: request meta-variables in the
 * environment, the body on stdin, CGI headers (`Status:`, `Content-Type:`...) then the body on
 * stdout. Resolves with the HTTP status sent.
 */
export function serveGit(req: IncomingMessage, res: ServerResponse, git: GitHttpRequest): Promise<number> {
  const header = (name: string): string => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_PROJECT_ROOT: dirname(git.bareRepoPath),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${basename(git.bareRepoPath)}${git.rest}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: git.query,
    CONTENT_TYPE: header('content-type'),
    REMOTE_USER: git.user,
    REMOTE_ADDR: '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    HTTP_CONTENT_ENCODING: header('content-encoding'),
    HTTP_GIT_PROTOCOL: header('git-protocol'),
  };
  const length = header('content-length');
  if (length !== '') env.CONTENT_LENGTH = length;

  const hold = git.hold;
  if (hold?.phase === 'before') {
    return hold.act().then(() => {
      res.destroy();
      return 499;
    });
  }
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (hold?.phase === 'after') {
      // Carried out in full, then the client is killed before any of the answer reaches it.
      child.stdout.resume();
      child.stderr.resume();
      child.on('close', () => {
        void hold.act().then(() => {
          res.destroy();
          resolve(499);
        });
      });
      req.pipe(child.stdin);
      child.stdin.on('error', () => {});
      return;
    }
    let head: Buffer = Buffer.alloc(0);
    let started = false;
    let status = 200;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (!end) return;
      started = true;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end.index).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end.index + end.length));
    });
    child.on('error', (error) => {
      stderr += String(error);
    });
    child.on('close', (code) => {
      if (!started) {
        status = 500;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.write(`git http-backend failed (exit ${code}): ${stderr}`);
      }
      res.end();
      resolve(status);
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      // http-backend may stop reading early (e.g. on a refused request); its reply still counts.
    });
  });
}

const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+))$/;

/** Basic auth with any user name and a known token as password, as GitHub accepts for git. */
export function gitLogin(header: string | undefined, tokens: ReadonlyMap<string, string>): string | null {
  const found = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!found?.[1]) return null;
  const decoded = Buffer.from(found[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 1 ? null : (tokens.get(decoded.slice(colon + 1)) ?? null);
}

export interface GitSite {
  owner: string;
  repo: string;
  bareRepoPath: string;
  /** token → login */
  tokens: ReadonlyMap<string, string>;
}

/**
 * Answers `/<owner>/<repo>(.git)/...` git smart HTTP requests: 404 for another repository, 401
 * with a Basic challenge without a valid token, else http-backend. Returns the status sent, or
 * null when the path is not a git path (the caller treats it as an API call).
 */
export async function answerGit(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  site: GitSite,
  takeHold: (rest: string) => GitHold | undefined = () => undefined,
): Promise<number | null> {
  const found = GIT_PATH.exec(url.pathname);
  if (!found) return null;
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  if (!same(found[1], site.owner) || !same(found[2], site.repo)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Repository not found.\n');
    return 404;
  }
  const user = gitLogin(req.headers.authorization, site.tokens);
  if (user === null) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
    res.end('Invalid username or token.\n');
    return 401;
  }
  const rest = found[3] ?? '';
  const hold = takeHold(rest);
  return serveGit(req, res, {
    bareRepoPath: site.bareRepoPath,
    rest,
    query: url.search.slice(1),
    user,
    ...(hold === undefined ? {} : { hold }),
  });
}
