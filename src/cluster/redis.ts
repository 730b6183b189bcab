/**
 * Redis connections for cluster mode, set up as BullMQ's production guide asks: workers'
 * connections never give up on a command (`maxRetriesPerRequest: null`); the driver's give up after
 * a few seconds without Redis, so that a lost Redis is one clear error instead of a hang.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { PipelineError } from '../errors.js';
import { CLUSTER_TIMEOUTS, REDIS_DEFAULT_HOST, REDIS_DEFAULT_PORT } from '../options/cluster.js';

/** BullMQ key prefix and queue names shared by drivers and workers. */
export const PREFIX = 'pipeline';
export const TASK_QUEUE = 'tasks';
export const STAGE_QUEUE = 'stages';

/** Query parameters that carry a secret (ioredis and redis-py read `?password=`). */
const SECRET_PARAMS = /^(password|pass|pwd|auth|token|secret)$/i;

/**
 * The URL as it may be shown or stored: its password replaced by `***` (logs, errors, --json,
 * run.json), whether in the user part or in the query.
 * `redis://:s3cret@host:6379` -> `redis://:***@host:6379`; `redis://host?password=s3cret` -> `redis://host?password=***`.
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '***');
    // URLSearchParams writes "*" as "%2A": show the mask as written above.
    return parsed.toString().replace(/%2A%2A%2A/g, '***').replace(/\/$/, '');
  } catch {
    // Not a URL: hide whatever sits between "//user:" and "@", and every secret parameter's value.
    return url.replace(/(\/\/[^/@]*?:)[^/@]*@/, '$1***@').replace(/([?&;](?:password|pass|pwd|auth|token|secret)=)[^&#;]*/gi, '$1***');
  }
}

export function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PipelineError('USAGE', `--redis: expected a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(maskUrl(url))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new PipelineError('USAGE', `--redis: expected a redis:// URL, got ${JSON.stringify(maskUrl(url))}`);
  return {
    host: parsed.hostname || REDIS_DEFAULT_HOST,
    port: Number(parsed.port || REDIS_DEFAULT_PORT),
    // The password may come in the user part or as ?password= (as ioredis reads a URL); the user part wins.
    password: parsed.password ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password') ?? undefined,
    username: parsed.username ? decodeURIComponent(parsed.username) : parsed.searchParams.get('username') ?? undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * A connection; its errors are handled by the caller's checks (waitForRedis, 'end'), so they are
 * not also printed by ioredis as unhandled.
 */
export function connect(url: string, role: 'driver' | 'worker'): Redis {
  const options = parseRedisUrl(url);
  const redis = new Redis({
    ...options,
    maxRetriesPerRequest: null,
    lazyConnect: false,
    // The driver stops reconnecting after about 5 s; a worker keeps trying (Redis may come back).
    retryStrategy: (times) => (role === 'driver' && times > 10 ? null : Math.min(times * 200, 2000)),
  });
  redis.on('error', (error: Error) => lastErrors.set(redis, error));
  return redis;
}

/** The last error each connection met: what `waitForRedis` explains when Redis does not answer. */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Resolves when Redis answers PING; otherwise one clear line: a refused password or a server that
 * is not Redis is a usage error (exit 2), no answer an environment error (exit 3).
 */
export async function waitForRedis(redis: Redis, url: string, timeoutMs: number = CLUSTER_TIMEOUTS.driverConnectMs): Promise<void> {
  const shown = maskUrl(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(unreachable(shown, timeoutMs, lastErrors.get(redis))), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw refused(shown, error as Error);
  } finally {
    clearTimeout(timer);
  }
}

function refused(shown: string, error: Error): PipelineError {
  const message = error.message ?? String(error);
  if (/^NOAUTH/.test(message)) return new PipelineError('USAGE', `--redis: Redis at ${shown} requires a password (NOAUTH): give it as redis://:PASSWORD@host:port`, { cause: error });
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(message)) return new PipelineError('USAGE', `--redis: Redis at ${shown} refused the password (WRONGPASS): check the password in the URL`, { cause: error });
  if (/AUTH.*without any password configured/i.test(message)) return new PipelineError('USAGE', `--redis: Redis at ${shown} has no password set, but the URL gives one: remove it from the URL`, { cause: error });
  if (/Protocol error|unknown command/i.test(message)) return notRedis(shown, error);
  return new PipelineError('CLUSTER', `Redis at ${shown} refused the connection: ${message.replace(/\s+/g, ' ').slice(0, 200)}`, { cause: error });
}

function notRedis(shown: string, error: Error): PipelineError {
  return new PipelineError('USAGE', `--redis: the server at ${shown} is not Redis (${error.message.split('\n')[0].replace(' Please report this.', '').slice(0, 120)}): check the host and port`, { cause: error });
}

function unreachable(shown: string, timeoutMs: number, last: Error | undefined): PipelineError {
  if (last && /Protocol error/i.test(last.message)) return notRedis(shown, last);
  if (last && /^(NOAUTH|WRONGPASS)/.test(last.message)) return refused(shown, last);
  const why = last && 'code' in last ? ` (${(last as NodeJS.ErrnoException).code})` : '';
  return new PipelineError('CLUSTER', `cannot reach Redis at ${shown} (no answer in ${timeoutMs / 1000} s${why})`);
}

/** BullMQ needs `maxmemory-policy noeviction`: evicted keys are lost jobs. Returns a warning or undefined. */
export async function evictionWarning(redis: Redis): Promise<string | undefined> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy && policy !== 'noeviction') return `warning: Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" (jobs may be lost). Set it with: redis-cli CONFIG SET maxmemory-policy noeviction`;
  } catch {
    return 'warning: could not read Redis maxmemory-policy (CONFIG disabled?); make sure it is "noeviction"';
  }
  return undefined;
}
