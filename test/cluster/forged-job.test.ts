/**
 * A job written to Redis by anyone but our driver: a real worker against a real redis-server refuses
 * it (not retried) and writes nothing. Forged shapes, paths outside the run's folder, unknown
 * fields, a job naming a folder no run holds, a driver of another build, and images outside the
 * inputs the run's driver recorded (src/cluster/run-inputs.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildStamp } from '../../src/cluster/jobs.js';
import { PREFIX, TASK_QUEUE } from '../../src/cluster/redis.js';
import { acquireLock } from '../../src/output/lock.js';
import { writeRunInputs } from '../../src/cluster/run-inputs.js';
import { ROOT, waitFor, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';

const BIN = join(ROOT, 'bin', 'pipeline.js');
const PHOTO = join(ROOT, 'fixtures', 'photos', 'water', 'water-000.jpg');

let redis: RedisServer;
let worker: ChildProcess;
let connection: Redis;
let queue: Queue;
before(async () => {
  redis = await startRedis(undefined, { password: 'forged-test-secret' });
  worker = spawn(process.execPath, [BIN, 'worker', '--redis', redis.url, '--workers', '1', '--lock-ms', '3000', '--quiet'], { stdio: 'ignore' });
  connection = new Redis(redis.port, '127.0.0.1', { password: 'forged-test-secret', maxRetriesPerRequest: null });
  queue = new Queue(TASK_QUEUE, { connection, prefix: PREFIX });
});
after(async () => {
  await queue?.close();
  connection?.disconnect();
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await redis?.stop();
});

/** Adds the job as a forger would (BullMQ, straight to the task queue) and waits for its end. */
async function forge(name: string, id: string, data: unknown): Promise<Job> {
  await queue.add(name, data, { jobId: id, attempts: 4, backoff: { type: 'fixed', delay: 10 } });
  await waitFor(async () => {
    const state = await queue.getJobState(id);
    return state === 'failed' || state === 'completed';
  });
  // Read once it has ended: a copy read while it ran would hold its fields of then.
  return (await Job.fromId(queue, id))!;
}

function convertInput(out: string, runId: string, shard = join(out, 'part-00000-of-00001.tfrecord')) {
  return {
    partition: 0,
    files: [{ path: PHOTO, rel: 'water/water-000.jpg', label: 0, className: 'water' }],
    shardPath: shard,
    indexPath: join(out, 'part-00000-of-00001.idx'),
    fingerprint: 'f'.repeat(64),
    image: { width: 16, height: 16, fit: 'cover', format: 'jpeg', quality: 90, maxPixels: 1e8 },
    compression: 'none',
    run: { dir: out, id: runId },
  };
}

test('forged convert jobs are refused, not retried, and write nothing', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const outside = join(dir, 'outside');
    await mkdir(out);
    await mkdir(outside);
    // A live run holds `out`: the forger even knows its id (job ids in Redis carry it).
    const lock = await acquireLock(out, 'convert');
    const runId = lock.info.runId;
    const build = buildStamp();
    try {
      const cases: [string, unknown, RegExp][] = [
        ['the bare task (no build)', convertInput(out, runId), /expected \{build, input\}/],
        ['a shard outside the run\'s folder', { build, input: convertInput(out, runId, join(outside, 'part-00000-of-00001.tfrecord')) }, /shardPath: expected a shard file name directly inside/],
        ['a shard path that climbs out', { build, input: convertInput(out, runId, join(out, '..', 'outside', 'x.tfrecord')) }, /shardPath/],
        ['a file name that is not a shard', { build, input: convertInput(out, runId, join(out, 'evil.sh')) }, /shardPath/],
        ['a fingerprint that is not a SHA-256', { build, input: { ...convertInput(out, runId), fingerprint: 'x' } }, /fingerprint: expected a SHA-256 in hex/],
        ['a job without its fingerprint', { build, input: { ...convertInput(out, runId), fingerprint: undefined } }, /fingerprint: Required/],
        ['an unknown field', { build, input: { ...convertInput(out, runId), exec: 'rm -rf /' } }, /unknown field\(s\) exec/],
        ['a driver of another build', { build: { ...build, version: '0.0.1-other' }, input: convertInput(out, runId) }, /the driver's build differs from this worker's \(version 0\.0\.1-other on the driver/],
        ['a run that holds no folder there', { build, input: convertInput(outside, runId) }, /no longer owns|does not carry|has not recorded its inputs/],
      ];
      for (const [i, [what, data, reason]] of cases.entries()) {
        const job = await forge('convertPartition', `${runId}.1-${i}`, data);
        assert.ok(await job.isFailed(), `${what}: refused`);
        assert.equal(job.attemptsMade, 1, `${what}: not retried`);
        assert.match(job.failedReason, reason, what);
      }
      // A job id that names another run than its data: refused too.
      const other = await forge('convertPartition', `00000000-0000-0000-0000-000000000000.1-0`, { build, input: convertInput(out, runId) });
      assert.match(other.failedReason, /does not carry the id of the run/);
      assert.deepEqual(await readdir(outside), [], 'nothing written outside');
      assert.deepEqual((await readdir(out)).filter((n) => !n.startsWith('.pipeline.lock')), [], 'nothing written in the run folder');

      // The same job, well formed, of a run that recorded its inputs: the worker runs it (the test is not refusing everything).
      await writeRunInputs(out, { runId, inputs: [dirname(PHOTO)] });
      const good = await forge('convertPartition', `${runId}.2-0`, { build, input: convertInput(out, runId) });
      assert.ok(await good.isCompleted(), good.failedReason);
      assert.ok((await readdir(out)).includes('part-00000-of-00001.tfrecord'));
      // Its finished entry, the fingerprint carried back as given (the driver compares it with its plan).
      const { entry } = good.returnvalue as { entry: Record<string, unknown> };
      assert.deepEqual([entry.partition, entry.file, entry.index, entry.fingerprint], [0, 'part-00000-of-00001.tfrecord', 'part-00000-of-00001.idx', 'f'.repeat(64)]);
    } finally {
      await lock.release();
    }
  });
});

test('a forged speed-test job with unknown fields or without its run is refused', async () => {
  const build = buildStamp();
  const input = {
    partition: 0, tasks: [{ task: 0, dataset: 'images', cache: 'off', batchSize: 1, batchNumber: 1 }], images: [PHOTO], shards: [],
    repetitions: 1, warmup: 0, workers: 1, partitions: 1, cacheLimitBytes: 0, runStartMs: Date.now(), run: { dir: '/tmp', id: '11111111-1111-1111-1111-111111111111' },
  };
  const extra = await forge('runSpeedtestJob', '11111111-1111-1111-1111-111111111111.1-0', { build, input: { ...input, shell: 'x' } });
  assert.match(extra.failedReason, /unknown field\(s\) shell/);
  const { run: _run, ...noRun } = input;
  const missing = await forge('runSpeedtestJob', '11111111-1111-1111-1111-111111111111.1-1', { build, input: noRun });
  assert.match(missing.failedReason, /run: Required/);
});

test("a convert job naming images outside its run's recorded inputs is refused (failed, not retried, one line), and nothing is read into a shard", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await mkdir(out);
    const lock = await acquireLock(out, 'convert');
    const runId = lock.info.runId;
    const build = buildStamp();
    const withFiles = (...paths: string[]) => ({
      build,
      input: { ...convertInput(out, runId), files: paths.map((path, i) => ({ path, rel: `x/${i}.jpg`, label: 0, className: 'x' })) },
    });
    const failedBefore = (await queue.getJobCounts('failed')).failed;
    try {
      // No record yet: the run named never recorded its inputs (not a convert of our driver).
      const unrecorded = await forge('convertPartition', `${runId}.3-0`, withFiles(PHOTO));
      assert.match(unrecorded.failedReason, /has not recorded its inputs/);
      await writeRunInputs(out, { runId: '22222222-2222-2222-2222-222222222222', inputs: ['/'] });
      const another = await forge('convertPartition', `${runId}.3-1`, withFiles(PHOTO));
      assert.match(another.failedReason, /has not recorded its inputs/, "another run's record is not this run's");

      // The run's driver recorded its input folder (one class folder) and an input prefix.
      await writeRunInputs(out, { runId, inputs: [dirname(PHOTO) , 's3://data/flowers/'] });
      const cases: [string, unknown, RegExp][] = [
        ['a file elsewhere on the disk', withFiles(PHOTO, '/etc/passwd'), /files\.1\.path "\/etc\/passwd": outside the run's input/],
        ['a path that climbs out of the input', withFiles(join(dirname(PHOTO), '..', '..', '..', 'package.json')), /files\.0\.path .*: outside the run's input/],
        ['a sibling folder with the input\'s name as prefix', withFiles(`${dirname(PHOTO)}-evil/x.jpg`), /outside the run's input/],
        ['a relative path', withFiles('water/water-000.jpg'), /not an absolute path|expected an absolute path/],
        ['an object in another bucket', withFiles('s3://secrets/keys.jpg'), /files\.0\.path "s3:\/\/secrets\/keys\.jpg": outside the run's input/],
        ['an object beside the input prefix', withFiles('s3://data/flowers-private/a.jpg'), /outside the run's input/],
        ['an object key with a .. segment', withFiles('s3://data/flowers/../private/a.jpg'), /a "\." or "\.\." segment/],
      ];
      for (const [i, [what, data, reason]] of cases.entries()) {
        const job = await forge('convertPartition', `${runId}.4-${i}`, data);
        assert.ok(await job.isFailed(), `${what}: refused`);
        assert.equal(job.attemptsMade, 1, `${what}: not retried`);
        // The reason travels as the error's JSON (code, message, stack): one line saying what and why.
        const { code, message } = JSON.parse(job.failedReason) as { code: string; message: string };
        assert.equal(code, 'CLUSTER', what);
        assert.match(message, reason, what);
        assert.equal(message.split('\n').length, 1, what);
      }
      assert.equal((await queue.getJobCounts('failed')).failed - failedBefore, cases.length + 2, 'each refusal counted as a failed job');
      assert.deepEqual((await readdir(out)).filter((n) => !n.startsWith('.pipeline.lock') && n !== '_parts'), [], 'no shard written');

      // Inside the recorded inputs: run.
      const good = await forge('convertPartition', `${runId}.5-0`, withFiles(PHOTO));
      assert.ok(await good.isCompleted(), good.failedReason);
      assert.ok((await readFile(join(out, 'part-00000-of-00001.tfrecord'))).length > 0);
    } finally {
      await lock.release();
    }
  });
});
