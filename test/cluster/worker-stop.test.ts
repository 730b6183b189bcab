import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ROOT, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';

const BIN = join(ROOT, 'bin', 'pipeline.js');
const PHOTOS = join(ROOT, 'fixtures', 'photos');

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

/** A child with its stderr gathered; `waitFor(re)` resolves once stderr matches. */
function child(args: string[]) {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  proc.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiters.filter((w) => w.re.test(stderr))) w.resolve();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    exited,
    stderr: () => stderr,
    waitFor: (re: RegExp) => new Promise<void>((resolve, reject) => {
      if (re.test(stderr)) return resolve();
      waiters.push({ re, resolve });
      void exited.then((code) => reject(new Error(`exited ${code} before ${re}: ${stderr}`)));
    }),
  };
}

const kill = async (p: ChildProcess) => {
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGKILL');
    await once(p, 'exit');
  }
};

test('two workers with one --name on one Redis: the second is refused (exit 2); the name is free once the first stops', { timeout: 60_000 }, async () => {
  const first = child(['worker', '--redis', redis.url, '--name', 'rack-1', '--workers', '1']);
  try {
    await first.waitFor(/taking jobs from/);
    const second = child(['worker', '--redis', redis.url, '--name', 'rack-1', '--workers', '1']);
    assert.equal(await second.exited, 2, second.stderr());
    assert.match(second.stderr(), /^pipeline: --name rack-1: a worker of that name is already taking jobs from this Redis/);
    first.proc.kill('SIGTERM');
    assert.equal(await first.exited, 143, first.stderr());
    const third = child(['worker', '--redis', redis.url, '--name', 'rack-1', '--workers', '1']);
    await third.waitFor(/taking jobs from/);
    third.proc.kill('SIGTERM');
    assert.equal(await third.exited, 143);
  } finally {
    await kill(first.proc);
  }
});

test('SIGTERM on a worker in the middle of a long job: the job stops at its next image and goes back to the queue (exit 143, no native abort)', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const worker = child(['worker', '--redis', redis.url, '--name', 'w-stop', '--workers', '1', '--lock-ms', '5000']);
    const driver = child(['speedtest', '--images', PHOTOS, '--out', join(dir, 'run'), '--batch-sizes', '64', '--batch-numbers', '1000000', '--repetitions', '1', '--warmup', '0', '--cache', 'on', '--redis', redis.url]);
    const connection = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null });
    const queue = new Queue('tasks', { connection, prefix: 'pipeline' });
    try {
      await worker.waitFor(/taking jobs from/);
      // The driver's progress line counts the images the worker's job has delivered.
      await driver.waitFor(/[1-9]\d* images, \d+ s/);
      const sent = performance.now();
      worker.proc.kill('SIGTERM');
      assert.equal(await worker.exited, 143, worker.stderr());
      assert.ok(performance.now() - sent < 10_000, 'stopped within 10 s');
      assert.match(worker.stderr(), /1 running job\(s\) asked to stop and handed back to the queue/);
      assert.doesNotMatch(worker.stderr(), /Napi|internal error/);
      const counts = await queue.getJobCounts('wait', 'active', 'failed', 'delayed');
      assert.deepEqual(counts, { wait: 1, active: 0, failed: 0, delayed: 0 }, 'the job waits for another worker; no attempt was spent');
      driver.proc.kill('SIGINT');
      assert.equal(await driver.exited, 130, driver.stderr());
    } finally {
      await queue.close();
      connection.disconnect();
      await kill(worker.proc);
      await kill(driver.proc);
    }
  });
});
