/**
 * The work behind POST /api/recommend, /api/next and /api/chart, from the body's text to the
 * response: parse, check, compute, serialise. It runs on a worker thread (answer-worker.ts), so the
 * event loop that answers /api/health never waits for a fit. Never throws: a bad body is a 400 with
 * the CLI's message, anything else a 500 that carries the error for the server's log.
 */
import { PipelineError, serializeError, type SerializedError } from '../errors.js';
import { jsonNesting, toJson } from '../json.js';
import { SERVE_LIMITS } from '../options/serve.js';
import { optionsFromBody, withJsonKeys } from './body.js';

export type AnswerRoute = 'recommend' | 'next' | 'chart';

export interface Answer {
  status: number;
  type: string;
  body: string;
  /** A bug's error (status 500), for the server's log. */
  bug?: SerializedError;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const badRequest = (error: string, code?: string): Answer => ({ status: 400, type: JSON_TYPE, body: toJson(code ? { error, code } : { error }) + '\n' });

export async function answer(route: AnswerRoute, text: string): Promise<Answer> {
  const depth = jsonNesting(text);
  if (depth > SERVE_LIMITS.jsonNesting) return badRequest(`request body: JSON nested ${depth} deep; the limit is ${SERVE_LIMITS.jsonNesting}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badRequest('request body: not valid JSON');
  }
  try {
    const { recommend, recommendNext } = await import('../recommend/recommend.js');
    const options = optionsFromBody(body);
    switch (route) {
      case 'recommend':
        return { status: 200, type: JSON_TYPE, body: toJson(await recommend(options)) + '\n' };
      case 'next':
        return { status: 200, type: JSON_TYPE, body: toJson(await recommendNext(options)) + '\n' };
      case 'chart': {
        const { chartSvg } = await import('./chart.js');
        return { status: 200, type: 'image/svg+xml', body: await chartSvg(await recommend(options)) };
      }
    }
  } catch (error) {
    // The client sent JSON keys: name them, not the CLI's flags.
    if (error instanceof PipelineError && error.code !== 'ABORTED') return badRequest(withJsonKeys(error.message), error.code);
    return { status: 500, type: JSON_TYPE, body: toJson({ error: 'internal error (a bug, please report it)' }) + '\n', bug: serializeError(error) };
  }
}
