/**
 * A cluster worker's thread numbers (src/cluster/worker-slots.ts), registered on a real Redis: the
 * lowest free ones, held while the worker lives, free again once it releases them or once a
 * killed worker's keys expire.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { claimWorkerSlots } from '../../src/cluster/worker-slots.js';
import { startRedis, type RedisServer } from './redis-server.js';

let redis: RedisServer;
let connection: Redis;
before(async () => {
  redis = await startRedis();
  connection = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
});
after(async () => {
  connection?.disconnect();
  await redis?.stop();
});

test('workers register the lowest free numbers; a released number is taken by the next worker', async () => {
  const a = await claimWorkerSlots(connection, 'a', 2);
  const b = await claimWorkerSlots(connection, 'b', 1);
  assert.deepEqual([a.numbers, b.numbers], [[0, 1], [2]]);
  await a.release();
  const c = await claimWorkerSlots(connection, 'c', 3);
  assert.deepEqual(c.numbers, [0, 1, 3]);
  await Promise.all([b.release(), c.release()]);
});

test('a worker killed without releasing holds its numbers only for their lifetime', async () => {
  // The killed worker's own connection: gone with it, so its renewals stop.
  const own = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
  const killed = await claimWorkerSlots(own, 'killed', 1, 300);
  assert.deepEqual(killed.numbers, [0]);
  const subscriber = connection.duplicate();
  await connection.config('SET', 'notify-keyspace-events', 'Ex');
  await subscriber.subscribe('__keyevent@0__:expired');
  const expired = once(subscriber, 'message');
  own.disconnect();
  assert.equal(await connection.exists('pipeline:worker-slot:0'), 1, 'held until its lifetime ends');
  // The key's expiry is the event waited for, not a sleep.
  await expired;
  subscriber.disconnect();
  const next = await claimWorkerSlots(connection, 'next', 1);
  assert.deepEqual(next.numbers, [0]);
  await next.release();
});
