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

/** Errors cross worker threads as plain data; this is their shape. */
export interface SerializedError {
  code: string;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof PipelineError) return { code: error.code, message: error.message };
  const e = error as NodeJS.ErrnoException;
  return { code: typeof e?.code === 'string' ? e.code : 'INTERNAL', message: String(e?.message ?? error) };
}

/** `usageError('--workers', 'a positive integer', '0')` */
export function usageError(option: string, expected: string, got: unknown): PipelineError {
  return new PipelineError('USAGE', `${option}: expected ${expected}, got ${JSON.stringify(got)}`);
}
