/**
 * Object-storage failures as the contract wants them: a missing bucket exit 3 naming it, refused
 * credentials (SignatureDoesNotMatch, InvalidAccessKeyId, none found) exit 2, AccessDenied exit 3,
 * an endpoint that cannot be reached exit 3. Messages never hold a secret: the SDK's errors name
 * the access key id at most, and we print only the code, the bucket and the endpoint.
 */
import { PipelineError } from '../errors.js';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout', 'UND_ERR_SOCKET']);

export function errorName(error: unknown): string {
  const e = error as SdkError | undefined;
  return e?.name && e.name !== 'Error' && e.name !== 'UnknownError' ? e.name : (e?.Code ?? e?.code ?? '');
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** 503 SlowDown, other 5xx, throttling, resets and timeouts: worth another attempt. */
export function isRetryable(error: unknown): boolean {
  const name = errorName(error);
  const status = httpStatus(error);
  if (name === 'SlowDown' || name === 'ServiceUnavailable' || name === 'InternalError' || name === 'RequestTimeTooSkewed' || name === 'Throttling' || name === 'ThrottlingException') return true;
  if (status !== undefined && status >= 500) return true;
  const code = (error as SdkError | undefined)?.code ?? name;
  return NETWORK.has(code) || /socket hang up|ECONNRESET|premature close|aborted/i.test((error as SdkError | undefined)?.message ?? '');
}

/** The object (or bucket) is not there: a NoSuchKey / 404 on an object request. */
export function isMissing(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(error) === 404;
}

export function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

/**
 * The error a user sees: `what` names the request ("listing s3://b/prefix"), `endpoint` where it went.
 * Anything we do not recognise stays a STORAGE error (exit 3) with the server's code, not a bug.
 */
export function storageError(error: unknown, what: string, bucket: string, endpoint: string): PipelineError {
  if (error instanceof PipelineError) return error;
  const name = errorName(error);
  const status = httpStatus(error);
  const where = `(endpoint ${endpoint})`;
  if (name === 'NoSuchBucket' || (name === 'NotFound' && /bucket/i.test(what))) {
    return new PipelineError('STORAGE', `bucket ${bucket} does not exist ${where}: create it, or check the URL`, { path: bucket, cause: error });
  }
  if (name === 'SignatureDoesNotMatch' || name === 'InvalidAccessKeyId' || name === 'InvalidClientTokenId' || name === 'ExpiredToken' || name === 'InvalidToken') {
    return new PipelineError('USAGE', `${what}: the server refused the credentials (${name}) ${where}: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the HMAC keys for gs://`, { cause: error });
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test((error as SdkError)?.message ?? '')) {
    return new PipelineError('USAGE', `${what}: no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (the AWS SDK's default chain)`, { cause: error });
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new PipelineError('STORAGE', `${what}: access denied to bucket ${bucket} ${where}: the credentials lack the permission`, { path: bucket, cause: error });
  }
  if (isMissing(error)) return new PipelineError('NOT_FOUND', `${what}: no such object ${where}`, { cause: error });
  const code = (error as SdkError | undefined)?.code ?? name;
  if (NETWORK.has(code) || isRetryable(error)) {
    return new PipelineError('STORAGE', `${what}: cannot reach the object store ${where}: ${name || code || 'network error'}${status ? ` (HTTP ${status})` : ''}, after retries`, { cause: error });
  }
  return new PipelineError('STORAGE', `${what}: ${name || 'error'}${status ? ` (HTTP ${status})` : ''} ${where}`, { cause: error });
}
