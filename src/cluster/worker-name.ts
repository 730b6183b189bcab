/**
 * One worker per name on a Redis: hosts.csv and the report group samples by name, so two workers
 * sharing one would mix two machines' figures under one host. A worker claims its name with a key
 * that lives while it renews it (a killed worker's name is free again after the key's lifetime).
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { PipelineError } from '../errors.js';
import { PREFIX } from './redis.js';
import { CLUSTER_TIMEOUTS } from '../options/cluster.js';

/** A killed worker's name is free again after this (src/options/cluster.ts). */
export const NAME_CLAIM_MS: number = CLUSTER_TIMEOUTS.nameClaimMs;

export interface NameClaim {
  release(): Promise<void>;
}

export async function claimWorkerName(redis: Redis, name: string, ttlMs = NAME_CLAIM_MS): Promise<NameClaim> {
  const key = `${PREFIX}:worker-name:${name}`;
  const mine = JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString() });
  if ((await redis.set(key, mine, 'PX', ttlMs, 'NX')) !== 'OK') {
    const holder = JSON.parse((await redis.get(key)) ?? '{}') as { host?: string; pid?: number; since?: string };
    throw new PipelineError('USAGE', `--name ${name}: a worker of that name is already taking jobs from this Redis (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${holder.since ?? '?'}); give this one another --name (if that worker is gone, its name is free within ${ttlMs / 1000} s)`);
  }
  // Renewed well within its lifetime; renewed only while it is still ours.
  const timer = setInterval(() => {
    void redis.get(key).then((v) => (v === mine ? redis.pexpire(key, ttlMs) : undefined)).catch(() => undefined);
  }, Math.floor(ttlMs / 3));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      if ((await redis.get(key).catch(() => null)) === mine) await redis.del(key).catch(() => undefined);
    },
  };
}
