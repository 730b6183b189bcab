/**
 * The host stream on a real redis-server: a host whose clock is 5 s behind has its rows placed on
 * the driver's clock; entries that are not host batches are skipped and counted; a full buffer
 * drops its oldest rows and counts them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { clockOffset, HOST_STREAM, HostSender, parseBatch, startHostFeed } from '../../src/cluster/host-stream.js';
import type { HostRow } from '../../src/hosts/rates.js';
import { startRedis, type RedisServer } from './redis-server.js';

let server: RedisServer;
let redis: Redis;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
after(async () => {
  redis?.disconnect();
  await server?.stop();
});

const row = (t: number): HostRow => ({ host: 'slow-clock', role: 'worker', machine: 'm', t_ms: t, interval_ms: 250 } as HostRow);

test('a host 5 s behind: its rows land on the driver\'s clock; its offset is recorded', async () => {
  const feed = await startHostFeed(redis, 50);
  const { offsetMs } = await clockOffset(redis);
  const now = Date.now();
  // This host's clock reads 5 s less than ours: its offset to Redis is 5 s more.
  const batch = { host: 'slow-clock', role: 'worker', machine: 'm', offsetMs: offsetMs + 5000, rttMs: 1, dropped: 3, cost: { samples: 1, busyMs: 0, fractionOfOneCore: 0 }, missing: [], linkBytesPerSecond: null, rows: [row(now - 5000)] };
  await redis.xadd(HOST_STREAM, '*', 'batch', JSON.stringify(batch));
  await redis.xadd(HOST_STREAM, '*', 'batch', '{not json');
  await redis.xadd(HOST_STREAM, '*', 'other', 'field');
  await redis.xadd(HOST_STREAM, '*', 'batch', JSON.stringify({ ...batch, rows: 'nope' }));
  const result = await feed.stop();
  assert.equal(result.rows.length, 1);
  assert.ok(Math.abs(result.rows[0].t_ms - now) < 50, `placed at ${result.rows[0].t_ms - now} ms from now`);
  assert.ok(Math.abs(result.hosts[0].clockOffsetMs - 5000) < 50);
  assert.equal(result.hosts[0].droppedSinceWorkerStart, 3);
  assert.equal(result.malformedBatches, 3);
});

test('parseBatch: only our batches', () => {
  assert.equal(parseBatch(['batch', '{"host":"h","offsetMs":1,"rows":[]}'])?.host, 'h');
  assert.equal(parseBatch(['batch', '{"host":"h","offsetMs":"1","rows":[]}']), undefined);
  assert.equal(parseBatch(['batch', 'null']), undefined);
  assert.equal(parseBatch(['x', 'batch', 'y', '{}']), undefined);
});

test('the sender: a full buffer drops its oldest rows and counts them; what is sent arrives in one batch', async () => {
  const sender = new HostSender({ redis, host: 'bounded', machine: 'm', maxPending: 4, cost: () => ({ samples: 0, busyMs: 0, fractionOfOneCore: 0 }), missing: () => [], linkBytesPerSecond: () => null });
  const before = await redis.xlen(HOST_STREAM);
  for (let t = 1; t <= 10; t++) sender.push({ ...row(t), host: 'bounded' });
  assert.equal(sender.dropped, 6);
  await sender.flush();
  assert.equal(await redis.xlen(HOST_STREAM), before + 1);
  const [[, fields]] = (await redis.xrevrange(HOST_STREAM, '+', '-', 'COUNT', 1)) as [string, string[]][];
  const batch = parseBatch(fields)!;
  assert.deepEqual(batch.rows.map((r) => r.t_ms), [7, 8, 9, 10], 'the newest rows kept');
  assert.equal(batch.dropped, 6);
});
