import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { biggerDataset, ROOT, runCli, waitFor, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { killWorker, startWorker, stopWorkers } from './workers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** The dataset's files (convert-run/ records each run's hosts, which differ by nature). */
async function sameFiles(a: string, b: string): Promise<void> {
  const dataset = async (d: string) => (await readdir(d)).filter((n) => n !== 'convert-run').sort();
  const names = await dataset(a);
  assert.deepEqual(await dataset(b), names);
  for (const name of names) assert.ok((await readFile(join(a, name))).equals(await readFile(join(b, name))), name);
}

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('convert with 3 worker processes gives shards byte-identical to a local run', async () => {
  await withTempDir(async (dir) => {
    await convert({ input: PHOTOS, out: join(dir, 'local'), partitions: 6, workers: 2 });
    const workers = [startWorker(redis.url), startWorker(redis.url), startWorker(redis.url)];
    try {
      const result = await runCli(['convert', PHOTOS, '--out', join(dir, 'cluster'), '--partitions', '6', '--redis', redis.url, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout);
      assert.equal(json.records, 100);
      assert.equal(json.cluster.mode, 'cluster');
      assert.equal(json.cluster.jobs, 6);
      // The driver records every host: itself and the three workers (default names hostname/pid).
      const hosts = JSON.parse(await readFile(join(dir, 'cluster', 'convert-run', 'run.json'), 'utf8')).hosts.hosts as { role: string }[];
      assert.equal(hosts.filter((h) => h.role === 'driver').length, 1);
      assert.ok(hosts.filter((h) => h.role === 'worker').length >= 1, JSON.stringify(hosts));
    } finally {
      await stopWorkers(workers);
    }
    await sameFiles(join(dir, 'local'), join(dir, 'cluster'));
  });
});

test('SIGKILL one worker mid-run: the run completes, identical output, the driver reports the retried job', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 2);
    await convert({ input, out: join(dir, 'local'), partitions: 8, workers: 2 });
    // The victim works alone and holds in the middle of its second job (25 images a job), then dies.
    const victim = startWorker(redis.url, { holdAt: 30 });
    const out = join(dir, 'cluster');
    const driver = runCli(['convert', input, '--out', out, '--partitions', '8', '--redis', redis.url, '--json']);
    await victim.held;
    await killWorker(victim);
    const helpers = [startWorker(redis.url), startWorker(redis.url)];
    try {
      const result = await driver;
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout);
      assert.equal(json.records, 200, 'no duplicate and no missing record');
      assert.ok(json.cluster.retriedJobs >= 1, `retried jobs reported: ${JSON.stringify(json.cluster)}`);
    } finally {
      await stopWorkers(helpers);
    }
    await sameFiles(join(dir, 'local'), join(dir, 'cluster'));
  });
});

test('Redis killed mid-run: the driver fails with a clear error; a rerun with --resume completes', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 2);
    await convert({ input, out: join(dir, 'local'), partitions: 8, workers: 2 });
    const own = await startRedis();
    // The one worker finishes its first job (25 images) and holds in its second: the run cannot end.
    const held = startWorker(own.url, { holdAt: 30 });
    let workers = [held];
    try {
      const out = join(dir, 'cluster');
      const driver = runCli(['convert', input, '--out', out, '--partitions', '8', '--redis', own.url]);
      // Redis dies once the driver has recorded the finished shard, with more to come.
      await held.held;
      await waitFor(async () => (await readdir(join(out, '_parts')).catch(() => [] as string[])).some((n) => n.endsWith('.json')));
      await own.stop();
      const result = await driver;
      assert.equal(result.code, 3);
      assert.match(result.stderr, /lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+; rerun with --resume/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      await killWorker(held);

      const again = await startRedis(own.port);
      workers = [startWorker(again.url), startWorker(again.url)];
      try {
        const rerun = await runCli(['convert', input, '--out', join(dir, 'cluster'), '--partitions', '8', '--redis', again.url, '--resume', '--json']);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.ok(JSON.parse(rerun.stdout).resumed >= 1);
      } finally {
        await stopWorkers(workers);
        await again.stop();
      }
    } finally {
      await stopWorkers(workers);
      await own.stop();
    }
    await sameFiles(join(dir, 'local'), join(dir, 'cluster'));
  });
});

test('an unreachable Redis is one clear error', async () => {
  const result = await runCli(['convert', PHOTOS, '--out', '/tmp/never', '--redis', 'redis://127.0.0.1:1']);
  assert.equal(result.code, 3);
  assert.match(result.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
});

test('speedtest in cluster mode writes the same run files as a local run', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: PHOTOS, out: shards, partitions: 2, size: '64x64' });
    const workers = [startWorker(redis.url), startWorker(redis.url)];
    try {
      const result = await runCli(['speedtest', '--images', PHOTOS, '--tfrecords', shards, '--out', join(dir, 'run'), '--batch-sizes', '4,8', '--batch-numbers', '2', '--repetitions', '1,2', '--redis', redis.url, '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).rows, 2 * 2 * 1 * 2);
      const run = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8'));
      assert.equal(run.executor.mode, 'cluster');
      assert.ok((await readdir(join(dir, 'run'))).includes('measurements.arrow'));
      // Rows come back finished: each worker's thread writes the number it registered (two workers
      // of one thread: 0 and 1), as a local run of two threads numbers its threads.
      const [header, ...lines] = (await readFile(join(dir, 'run', 'tasks.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
      const workerColumn = header.indexOf('worker');
      assert.ok(lines.length > 0 && lines.every((l) => ['0', '1'].includes(l[workerColumn])), JSON.stringify(lines));
    } finally {
      await stopWorkers(workers);
    }
  });
});
