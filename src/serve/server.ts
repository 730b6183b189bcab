/**
 * `pipeline serve`: the recommender over HTTP (node:http, no framework: four routes do not need
 * one). POST /api/recommend and POST /api/next answer exactly what `recommend --json` and
 * `recommend --next --json` print; POST /api/chart gives the scaling chart as SVG; GET / is a form.
 * Errors: 400 with the CLI's message for a bad body, 413 past the size limit, 408 for headers or a
 * body that do not come in time, 503 when too many requests wait, 404, 405. The fits run on worker
 * threads (answer.ts): the event loop only reads, routes and writes, so /api/health answers at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Piscina } from 'piscina';
import { deserializeError, PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { VERSION } from '../version.js';
import { parseOptions } from '../options/define.js';
import { SERVE_LIMITS, serveOptions, type ServeOptionsInput } from '../options/serve.js';
import type { Answer, AnswerRoute } from './answer.js';
import { withJsonKeys } from './body.js';
import { formPage } from './page.js';

/** Request bodies above this are refused (413): a measurement table is small. */
export const MAX_BODY_BYTES = SERVE_LIMITS.bodyBytes;

/** The built worker entry (worker threads run compiled JavaScript only). */
const ANSWER_WORKER = new URL('./answer-worker.js', import.meta.url).href;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The whole body, or 413 past `limit` bytes, or 408 when it has not all come `timeoutMs` after `started` (ms since the epoch). */
function readBody(req: IncomingMessage, limit: number, started: number, timeoutMs: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new HttpError(413, `request body of ${declared} bytes: the limit is ${limit}`));
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: HttpError) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) {
        // Stop reading; the socket stays open for the answer, then closes (see the error handler).
        req.pause();
        reject(error);
      } else resolvePromise(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new HttpError(413, `request body over the limit of ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = () => finish(new HttpError(400, 'request body: the connection failed before the body was complete'));
    // A client that sends half a body and waits would hold the connection forever: the read has a deadline.
    const timer = setTimeout(() => finish(new HttpError(408, `request body not complete within ${timeoutMs / 1000} s of the request`)), Math.max(0, started + timeoutMs - Date.now()));
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', toJson(value) + '\n');

const ROUTES: Record<string, AnswerRoute> = { 'POST /api/recommend': 'recommend', 'POST /api/next': 'next', 'POST /api/chart': 'chart' };

export interface RecommendServerOptions {
  maxBodyBytes?: number;
  /** Time to receive the request headers (ms). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request, body included (ms). */
  bodyTimeoutMs?: number;
  /** Threads computing answers, and requests that may wait for one (more: 503). */
  threads?: number;
  queue?: number;
  onError?: (error: unknown) => void;
  /** Called when a request's work is handed to a thread (tests wait on it). */
  onCompute?: (route: AnswerRoute) => void;
}

export function createRecommendServer(options: RecommendServerOptions = {}): Server {
  const limit = options.maxBodyBytes ?? SERVE_LIMITS.bodyBytes;
  const headersTimeout = options.headersTimeoutMs ?? SERVE_LIMITS.headersTimeoutMs;
  const bodyTimeout = Math.max(options.bodyTimeoutMs ?? SERVE_LIMITS.bodyTimeoutMs, headersTimeout);
  const queue = options.queue ?? SERVE_LIMITS.queue;
  // Started on the first request that needs it, ended with the server.
  let pool: Piscina | undefined;
  const compute = (route: AnswerRoute, text: string, signal: AbortSignal): Promise<Answer> => {
    pool ??= new Piscina({ filename: ANSWER_WORKER, name: 'answerRequest', minThreads: 0, maxThreads: options.threads ?? SERVE_LIMITS.threads, idleTimeout: 30_000 });
    if (pool.queueSize >= queue) throw new HttpError(503, `busy: ${pool.queueSize} requests are waiting; retry later`);
    options.onCompute?.(route);
    return pool.run({ route, text }, { signal });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
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
    }
    const work = ROUTES[route];
    if (work) {
      // Any content type is read as JSON: `curl -d` sends form encoding by default, and the answer to a non-JSON body is the same 400.
      const text = await readBody(req, limit, started, bodyTimeout);
      // A client that goes away stops its work (the thread is ended and replaced: the work is pure JavaScript).
      const gone = new AbortController();
      res.once('close', () => res.writableFinished || gone.abort());
      const answer = await compute(work, text, gone.signal);
      if (answer.bug) options.onError?.(deserializeError(answer.bug));
      return send(res, answer.status, answer.type, answer.body);
    }
    if (['/', '/api/health', '/api/recommend', '/api/next', '/api/chart'].includes(path)) throw new HttpError(405, `${req.method} ${path}: method not allowed`);
    throw new HttpError(404, `${path}: not found; the API is POST /api/recommend, POST /api/next, POST /api/chart, GET /api/health`);
  }

  // Node's own timers close connections whose headers do not come in time (checked every second, or
  // more often for short limits), and are the backstop of readBody's deadline, which answers 408 first.
  const timeouts = { headersTimeout, requestTimeout: bodyTimeout + headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) };
  const server = createServer(timeouts, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.destroyed && !(error instanceof HttpError)) return; // the client went away (its work was aborted)
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message });
        // The rest of an oversized or late body is not read: close the connection after answering.
        if (error.status === 413 || error.status === 408) res.once('finish', () => req.socket.destroy());
      } else if (error instanceof PipelineError && error.code !== 'ABORTED') {
        sendJson(res, 400, { error: withJsonKeys(error.message), code: error.code });
      } else {
        options.onError?.(error);
        sendJson(res, 500, { error: 'internal error (a bug, please report it)' });
      }
    });
  });
  server.on('close', () => void pool?.destroy());
  return server;
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
