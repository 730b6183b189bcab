import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { convertPartition as convertPartitionHandler } from '../../src/tasks/worker.js';
import { newProgressBuffer } from '../../src/pool/protocol.js';
import { acquireLock } from '../../src/output/lock.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecords } from '../../src/tfrecord/reader.js';
import { biggerDataset, ROOT, runCli, waitFor, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { startWorker } from './workers.js';

const BIN = join(ROOT, 'bin', 'pipeline.js');
const PHOTO = join(ROOT, 'fixtures', 'photos', 'water', 'water-000.jpg');

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('a driver stopped by SIGINT takes its jobs out of Redis; the next run into the folder gets no shard of the old one', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 2);
    const out = join(dir, 'out');
    const connection = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
    const queue = new Queue('tasks', { connection, prefix: 'pipeline' });
    try {
      // No worker yet: the first run's 8 jobs wait in the queue when its driver is stopped.
      const first = spawn(process.execPath, [BIN, 'convert', input, '--out', out, '--partitions', '8', '--size', '64x64', '--redis', redis.url, '--quiet'], { stdio: 'ignore' });
      await waitFor(async () => (await queue.getJobCounts('waiting')).waiting >= 8);
      const ids = (await queue.getJobs(['waiting'])).map((j) => j.id!);
      assert.ok(ids.every((id) => /^[0-9a-f-]{36}\.\d+-\d+$/.test(id)), `job ids carry the run id: ${ids.join(' ')}`);
      first.kill('SIGINT');
      const [code] = await once(first, 'exit');
      assert.equal(code, 130);
      const left = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      assert.deepEqual(left, { waiting: 0, active: 0, delayed: 0, prioritized: 0, 'waiting-children': 0 }, 'the stopped run left no job');

      const worker = startWorker(redis.url);
      try {
        const second = await runCli(['convert', input, '--out', out, '--partitions', '4', '--size', '32x32', '--overwrite', '--redis', redis.url, '--json']);
        assert.equal(second.code, 0, second.stderr);
        assert.equal(JSON.parse(second.stdout).records, 200);
      } finally {
        worker.kill('SIGTERM');
        await once(worker, 'exit');
      }
      const shards = (await readdir(out)).filter((n) => n.includes('.tfrecord')).sort();
      assert.deepEqual(shards, [0, 1, 2, 3].map((i) => `part-0000${i}-of-00004.tfrecord`));
      for (const shard of shards) {
        for await (const record of readRecords(join(out, shard))) {
          const f = decodeExample(record.data);
          assert.equal((f.width as { int64: bigint[] }).int64[0], 32n, `${shard}: a record of this run`);
        }
      }
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      assert.equal(manifest.options.size, '32x32');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

test('a worker never commits a shard for a run that no longer owns the output folder', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await mkdir(out);
    const lock = await acquireLock(out, 'convert');
    const task = (id: string) => ({
      partition: 0,
      files: [{ path: PHOTO, rel: 'water/water-000.jpg', label: 0, className: 'water' }],
      shardPath: join(out, 'part-00000-of-00001.tfrecord'),
      indexPath: join(out, 'part-00000-of-00001.idx'),
      fingerprint: 'f'.repeat(64),
      image: { width: 16, height: 16, fit: 'cover' as const, format: 'jpeg' as const, quality: 90, maxPixels: 1e8 },
      compression: 'none' as const,
      run: { dir: out, id },
    });
    // Through the worker entry, as the pool and cluster workers call it: errors come back as data.
    const convertPartition = (input: ReturnType<typeof task>) => convertPartitionHandler({ input, progress: newProgressBuffer() });
    const stale = await convertPartition(task('an-old-run'));
    assert.equal(stale.ok, false);
    assert.equal(!stale.ok && stale.error.code, 'STALE_RUN');
    assert.deepEqual((await readdir(out)).filter((n) => n.startsWith('part-')), []);

    const current = await convertPartition(task(lock.info.runId));
    assert.ok(current.ok);
    await lock.release();
    const after = await convertPartition(task(lock.info.runId));
    assert.equal(!after.ok && after.error.code, 'STALE_RUN', 'a finished run owns nothing');
  });
});
