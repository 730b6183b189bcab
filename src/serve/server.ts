/**
 * `pipeline serve`: the recommender over HTTP (node:http, no framework: four routes do not need
 * one). POST /api/recommend and POST /api/next answer exactly what `recommend --json` and
 * `recommend --next --json` print; POST /api/chart gives the scaling chart as SVG; GET / is a form.
 * Errors: 400 with the CLI's message for a bad body, 413 past the size limit, 404, 405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { VERSION } from '../version.js';
import { optionsFromBody, withJsonKeys } from './body.js';
import { parseOptions } from '../options/define.js';
import { serveOptions, type ServeOptionsInput } from '../options/serve.js';
import { formPage } from './page.js';

/** Request bodies above this are refused (413): a measurement table is small. */
export const MAX_BODY_BYTES = 1 << 20;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes: the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', toJson(value) + '\n');

async function jsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  // Any content type is read as JSON: `curl -d` sends form encoding by default, and the answer to a non-JSON body is the same 400.
  const text = await readBody(req, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body: not valid JSON');
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, limit: number): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = `${req.method} ${path}`;
  switch (route) {
    case 'GET /':
      return send(res, 200, 'text/html; charset=utf-8', formPage());
    case 'GET /favicon.ico':
      res.writeHead(204).end(); // browsers ask for it; there is none
      return;
    case 'GET /api/health':
      return sendJson(res, 200, { ok: true, version: VERSION });
    case 'POST /api/recommend': {
      const { recommend } = await import('../recommend/recommend.js');
      return sendJson(res, 200, await recommend(optionsFromBody(await jsonBody(req, limit))));
    }
    case 'POST /api/next': {
      const { recommendNext } = await import('../recommend/recommend.js');
      return sendJson(res, 200, await recommendNext(optionsFromBody(await jsonBody(req, limit))));
    }
    case 'POST /api/chart': {
      const { recommend } = await import('../recommend/recommend.js');
      const { chartSvg } = await import('./chart.js');
      return send(res, 200, 'image/svg+xml', await chartSvg(await recommend(optionsFromBody(await jsonBody(req, limit)))));
    }
  }
  if (['/', '/api/health', '/api/recommend', '/api/next', '/api/chart'].includes(path)) throw new HttpError(405, `${req.method} ${path}: method not allowed`);
  throw new HttpError(404, `${path}: not found; the API is POST /api/recommend, POST /api/next, POST /api/chart, GET /api/health`);
}

export function createRecommendServer(options: { maxBodyBytes?: number; onError?: (error: unknown) => void } = {}): Server {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return createServer((req, res) => {
    handle(req, res, limit).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message });
        // The rest of an oversized body is not read: close the connection after answering.
        if (error.status === 413) req.destroy();
      } else if (error instanceof PipelineError && error.code !== 'ABORTED') {
        sendJson(res, 400, { error: withJsonKeys(error.message), code: error.code });
      } else {
        options.onError?.(error);
        sendJson(res, 500, { error: 'internal error (a bug, please report it)' });
      }
    });
  });
}

/** `port`, `host` (src/options/serve.ts) and the caller's hooks. */
export type ServeOptions = ServeOptionsInput & {
  signal?: AbortSignal;
  onInfo?: (message: string) => void;
  onError?: (error: unknown) => void;
};

/** Listens until the signal aborts; resolves with where it listened. */
export async function serve(input: ServeOptions): Promise<{ url: string; stopped: true }> {
  const options = { ...parseOptions(serveOptions, input), signal: input.signal, onInfo: input.onInfo, onError: input.onError };
  const server = createRecommendServer({ onError: options.onError });
  const host = options.host;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new PipelineError('USAGE', e.code === 'EADDRINUSE' ? `port ${options.port} on ${host} is in use: pick another with --port` : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? `--host ${host}: not an address of this machine` : e.code === 'EACCES' ? `port ${options.port}: permission denied (ports under 1024 need privileges)` : `cannot listen on ${host}:${options.port}: ${e.message}`)),
    );
    server.listen(options.port, host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  options.onInfo?.(`listening on ${url} (Ctrl-C to stop)`);
  await new Promise<void>((resolvePromise) => {
    if (options.signal?.aborted) return resolvePromise();
    options.signal?.addEventListener('abort', () => resolvePromise(), { once: true });
  });
  await new Promise<void>((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
  return { url, stopped: true };
}
