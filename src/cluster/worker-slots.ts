/**
 * A cluster worker's thread numbers: the `worker` its rows carry (measurements.csv, tasks.csv),
 * unique across the workers on one Redis. A worker process registers one number per thread at
 * start-up, the lowest free ones, each with a key that lives while the worker renews it (a killed
 * worker's numbers are free again after the key's lifetime, and the next worker takes them); its
 * pool then gives each thread one (src/pool/worker-slot.ts). Two workers of one thread each are
 * workers 0 and 1, as a local run of two threads.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { CLUSTER_TIMEOUTS } from '../options/cluster.js';
import { PREFIX } from './redis.js';

export interface SlotClaim {
  /** The numbers registered, one per thread of the pool. */
  numbers: number[];
  release(): Promise<void>;
}

const slotKey = (n: number) => `${PREFIX}:worker-slot:${n}`;

export async function claimWorkerSlots(redis: Redis, name: string, threads: number, ttlMs: number = CLUSTER_TIMEOUTS.nameClaimMs): Promise<SlotClaim> {
  const mine = JSON.stringify({ name, host: hostname(), pid: process.pid });
  const numbers: number[] = [];
  for (let n = 0; numbers.length < threads; n++) {
    if ((await redis.set(slotKey(n), mine, 'PX', ttlMs, 'NX')) === 'OK') numbers.push(n);
  }
  // Renewed well within their lifetime, and only while they are still ours.
  const timer = setInterval(() => {
    for (const n of numbers) void redis.get(slotKey(n)).then((v) => (v === mine ? redis.pexpire(slotKey(n), ttlMs) : undefined)).catch(() => undefined);
  }, Math.floor(ttlMs / 3));
  timer.unref();
  return {
    numbers,
    async release() {
      clearInterval(timer);
      for (const n of numbers) if ((await redis.get(slotKey(n)).catch(() => null)) === mine) await redis.del(slotKey(n)).catch(() => undefined);
    },
  };
}
