/**
 * Redis connections for cluster mode, set up as BullMQ's production guide asks: workers'
 * connections never give up on a command (`maxRetriesPerRequest: null`); the driver's give up after
 * a few seconds without Redis, so that a lost Redis is one clear error instead of a hang.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { PipelineError } from '../errors.js';

/** BullMQ key prefix and queue names shared by drivers and workers. */
export const PREFIX = 'pipeline';
export const TASK_QUEUE = 'tasks';
export const STAGE_QUEUE = 'stages';

export function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PipelineError('USAGE', `--redis: expected a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new PipelineError('USAGE', `--redis: expected a redis:// URL, got ${JSON.stringify(url)}`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
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
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves when Redis answers PING; fails with one clear line after `timeoutMs`. */
export async function waitForRedis(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new PipelineError('CLUSTER', `cannot reach Redis at ${url} (no answer in ${timeoutMs / 1000} s)`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
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
