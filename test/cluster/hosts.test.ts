/**
 * Host samples in cluster mode: rows from the driver and from every worker (named by --name) in
 * hosts.csv, loopback traffic apart, clock offsets recorded; a worker whose samples cannot be sent
 * (Redis paused with CLIENT PAUSE) keeps working, and its dropped samples are counted in run.json.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { convert } from '../../src/convert/convert.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { startWorker, stopWorkers } from './workers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

const readCsv = async (path: string) => parse(await readFile(path), { columns: true, cast: true }) as Record<string, any>[];

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('cluster speed test: hosts.csv has the driver and both named workers, loopback apart, clock offsets in run.json', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: PHOTOS, out: shards, partitions: 2, size: '64x64' });
    const workers = [startWorker(redis.url, { name: 'worker-a', extra: ['--host-interval', '100'] }), startWorker(redis.url, { name: 'worker-b', extra: ['--host-interval', '100'] })];
    try {
      const out = join(dir, 'run');
      const result = await runCli(['speedtest', '--tfrecords', shards, '--images', PHOTOS, '--out', out, '--batch-sizes', '8,16', '--batch-numbers', '10', '--repetitions', '1,2', '--host-interval', '100', '--alarm', 'cpu>0', '--redis', redis.url, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const rows = await readCsv(join(out, 'hosts.csv'));
      const roles = new Map(rows.map((r) => [r.host, r.role]));
      assert.equal(roles.get('worker-a'), 'worker');
      assert.equal(roles.get('worker-b'), 'worker');
      assert.deepEqual([...roles.values()].filter((r) => r === 'driver').length, 1);
      // Both workers on this machine: one machine, two processes.
      assert.equal(new Set(rows.map((r) => r.machine)).size, 1);
      // Redis on 127.0.0.1: the traffic is on loopback, and the network columns leave it out.
      for (const name of ['worker-a', 'worker-b']) {
        const mine = rows.filter((r) => r.host === name);
        assert.ok(mine.length >= 3, `${name}: ${mine.length} rows`);
        assert.ok(mine.some((r) => r.lo_in_bytes_per_s > 0), `${name}: loopback bytes`);
        assert.ok(mine.every((r) => r.t_ms > 0 && r.t_ms < 120_000));
      }
      const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      const hosts = new Map(run.hosts.hosts.map((h: any) => [h.host, h]));
      for (const name of ['worker-a', 'worker-b']) {
        const h = hosts.get(name) as any;
        assert.ok(Number.isFinite(h.clockOffsetMs) && Math.abs(h.clockOffsetMs) < 1000, `offset ${h.clockOffsetMs}`);
        assert.ok(h.clockRttMs >= 0 && h.sampler.samples > 0);
      }
      // Each task names the host that ran it: the workers, never the driver (it runs none).
      const tasks = await readCsv(join(out, 'tasks.csv'));
      assert.ok(tasks.length > 0 && tasks.every((t) => t.host === 'worker-a' || t.host === 'worker-b'), JSON.stringify(tasks.map((t) => t.host)));
      const alarmHosts = new Set(run.alarms.map((a: any) => a.host));
      assert.ok(alarmHosts.has('worker-a') || alarmHosts.has('worker-b'), 'alarms evaluated on the workers\' rows too');
    } finally {
      await stopWorkers(workers);
    }
  });
});

test('Redis paused (CLIENT PAUSE): the worker keeps working, drops samples and the count is reported', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: PHOTOS, out: shards, partitions: 2, size: '64x64' });
    const worker = startWorker(redis.url, { name: 'paused-worker', extra: ['--host-interval', '50', '--sample-buffer', '4'] });
    const admin = new Redis(redis.url);
    try {
      const out = join(dir, 'run');
      const run = runCli(['speedtest', '--tfrecords', shards, '--out', out, '--batch-sizes', '8,16,32', '--batch-numbers', '20,40', '--repetitions', '1,2,3', '--partitions', '3', '--redis', redis.url, '--json']);
      // Once the worker is at work, pause every client for 2 s (the worker's samples pile up).
      await sleep(1500);
      await admin.client('PAUSE', 2000, 'ALL');
      const result = await run;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).rows, 3 * 2 * 3);
      const info = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      const mine = info.hosts.hosts.find((h: any) => h.host === 'paused-worker');
      assert.ok(mine, 'the worker\'s samples reached the driver after the pause');
      assert.ok(mine.droppedSamples > 0, `dropped ${mine.droppedSamples}`);
    } finally {
      admin.disconnect();
      await stopWorkers([worker]);
    }
  });
});
