/**
 * The one error class of the tool. `code` is stable (tests and callers match on it); `message`
 * says what was expected and what came, naming the file and byte offset when data is at fault.
 */
export type ErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'TFRECORD_TRUNCATED_HEADER'
  | 'TFRECORD_TRUNCATED_RECORD'
  | 'TFRECORD_LENGTH_CRC'
  | 'TFRECORD_DATA_CRC'
  | 'TFRECORD_TOO_LARGE'
  | 'TFRECORD_COMPRESSION'
  | 'EXAMPLE_DECODE'
  | 'IMAGE_DECODE'
  | 'DATA'
  | 'STRICT'
  | 'OUTPUT'
  | 'PIPELINE_FILE'
  | 'CLUSTER'
  | 'STALE_RUN'
  | 'STORAGE'
  | 'ABORTED';

export interface ErrorDetails {
  path?: string;
  offset?: number;
  record?: number;
  cause?: unknown;
}

export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly offset?: number;
  readonly record?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.path = details.path;
    this.offset = details.offset;
    this.record = details.record;
  }
}

/** Every code, at run time (the Record makes the compiler check it lists the whole union). */
const ERROR_CODES: Record<ErrorCode, true> = {
  USAGE: true,
  NOT_FOUND: true,
  TFRECORD_TRUNCATED_HEADER: true,
  TFRECORD_TRUNCATED_RECORD: true,
  TFRECORD_LENGTH_CRC: true,
  TFRECORD_DATA_CRC: true,
  TFRECORD_TOO_LARGE: true,
  TFRECORD_COMPRESSION: true,
  EXAMPLE_DECODE: true,
  IMAGE_DECODE: true,
  DATA: true,
  STRICT: true,
  OUTPUT: true,
  PIPELINE_FILE: true,
  CLUSTER: true,
  STALE_RUN: true,
  STORAGE: true,
  ABORTED: true,
};

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * Errors cross worker threads and Redis as plain data; this is their shape. `pipeline` says the
 * error was a PipelineError (an expected failure: one line, exit 2 or 3); otherwise it is a bug or
 * an environment error (errno `code` such as ENOSPC), and its `stack` is the worker's.
 */
export interface SerializedError {
  code: string;
  message: string;
  pipeline?: boolean;
  stack?: string;
  path?: string;
  offset?: number;
  record?: number;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof PipelineError)
    return { code: error.code, message: error.message, pipeline: true, stack: error.stack, path: error.path, offset: error.offset, record: error.record };
  const e = error as NodeJS.ErrnoException;
  return { code: typeof e?.code === 'string' ? e.code : 'INTERNAL', message: String(e?.message ?? error), stack: e?.stack, path: e?.path };
}

/**
 * An error that happened in a worker thread (or a cluster worker) and was not a PipelineError: it
 * keeps the worker's stack and errno code, so a bug is still exit 1 with the stack where it happened.
 */
export class WorkerError extends Error {
  readonly code: string;
  readonly path?: string;

  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = 'WorkerError';
    this.code = serialized.code;
    this.path = serialized.path;
    if (serialized.stack) this.stack = `${serialized.stack}\n    (in a worker)`;
  }
}

/** The error again, on the side that receives it: a PipelineError with its code, or a WorkerError. */
export function deserializeError(serialized: SerializedError): Error {
  if (serialized.pipeline && isErrorCode(serialized.code)) {
    const error = new PipelineError(serialized.code, serialized.message, { path: serialized.path, offset: serialized.offset, record: serialized.record });
    if (serialized.stack) error.stack = serialized.stack;
    return error;
  }
  return new WorkerError(serialized);
}

/** `usageError('--workers', 'a positive integer', '0')` */
export function usageError(option: string, expected: string, got: unknown): PipelineError {
  return new PipelineError('USAGE', `${option}: expected ${expected}, got ${JSON.stringify(got)}`);
}
