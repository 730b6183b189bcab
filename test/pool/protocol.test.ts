/**
 * One worker protocol (src/pool/protocol.ts): errors cross the thread (and Redis, as JSON) with
 * their code and the worker's stack; a bug inside a task stays exit 1 with that stack, an expected
 * failure keeps its PipelineError code.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeFailure, exitCodeFor } from '../../src/cli/exit-codes.js';
import { deserializeError, PipelineError, serializeError, WorkerError } from '../../src/errors.js';
import { localExecutor } from '../../src/pool/executor.js';
import { isTaskName } from '../../src/tasks/names.js';
import type { SpeedtestJob } from '../../src/speedtest/task.js';
import { ROOT } from '../helpers.js';

test('a PipelineError survives the trip as JSON (Redis) with its code, path, offset and record', () => {
  const original = new PipelineError('TFRECORD_DATA_CRC', 'bad.tfrecord: data CRC mismatch at record 3, offset 70', { path: 'bad.tfrecord', offset: 70, record: 3 });
  const back = deserializeError(JSON.parse(JSON.stringify(serializeError(original))));
  assert.ok(back instanceof PipelineError);
  assert.equal(back.code, 'TFRECORD_DATA_CRC');
  assert.deepEqual([back.path, back.offset, back.record, back.message], ['bad.tfrecord', 70, 3, original.message]);
  assert.equal(exitCodeFor(back), 3);
});

test('an errno error keeps its code (a full disk stays exit 3); anything else is a WorkerError, exit 1, with the worker\'s stack', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/out/part-0.tfrecord' });
  const disk = deserializeError(JSON.parse(JSON.stringify(serializeError(full))));
  assert.equal((disk as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.equal(exitCodeFor(disk), 3);

  const bug = new TypeError('Cannot read properties of undefined (reading \'path\')');
  const back = deserializeError(JSON.parse(JSON.stringify(serializeError(bug))));
  assert.ok(back instanceof WorkerError);
  assert.equal(exitCodeFor(back), 1);
  assert.match(describeFailure(back, 1), /internal error[\s\S]*TypeError: Cannot read properties of undefined[\s\S]*protocol\.test\.js[\s\S]*\(in a worker\)/);
  // A code that only looks like ours, from something that was not a PipelineError, is not trusted as one.
  assert.ok(!(deserializeError({ code: 'USAGE', message: 'x' }) instanceof PipelineError));
});

test('a bug inside a speed-test task on a worker thread: exit 1 with the worker\'s stack, not exit 3', async () => {
  const executor = localExecutor(1);
  try {
    // A job whose shard list is missing: the task itself fails with a TypeError (a bug, not bad data).
    const broken = {
      partition: 0, tasks: [{ task: 0, dataset: 'tfrecord', cache: 'off', batchSize: 1, batchNumber: 1 }], images: [], shards: undefined,
      repetitions: 1, warmup: 0, cacheLimitBytes: 1 << 20, runStartMs: Date.now(),
    } as unknown as SpeedtestJob;
    await assert.rejects(executor.runAll('runSpeedtestJob', [broken], async () => undefined), (error: unknown) => {
      assert.ok(error instanceof WorkerError, String(error));
      assert.equal(exitCodeFor(error), 1);
      // The stack is the worker's: it names the task's own source file.
      assert.match(error.stack ?? '', /dist\/src\/speedtest\//);
      return true;
    });
  } finally {
    await executor.close();
  }
});

test('a convert task\'s own failure comes back as a PipelineError with its code', async () => {
  const executor = localExecutor(1);
  try {
    const task = {
      partition: 0, files: [{ path: join(ROOT, 'fixtures', 'photos', 'water', 'water-000.jpg'), rel: 'water/water-000.jpg', label: 0, className: 'water' }],
      shardPath: join(ROOT, 'no-such-folder', 'part.tfrecord'), indexPath: join(ROOT, 'no-such-folder', 'part.idx'), fingerprint: 'f'.repeat(64),
      image: { width: 8, height: 8, fit: 'cover' as const, format: 'jpeg' as const, quality: 90, maxPixels: 1e8 }, compression: 'none' as const,
      // A run that does not own that folder: the task refuses to commit (STALE_RUN).
      run: { dir: join(ROOT, 'no-such-folder'), id: 'not-the-owner' },
    };
    await assert.rejects(executor.runAll('convertPartition', [task], async () => undefined), (error: unknown) => {
      assert.ok(error instanceof PipelineError, String(error));
      assert.equal(error.code, 'STALE_RUN');
      return true;
    });
  } finally {
    await executor.close();
  }
});

test('job names from Redis are checked against the task map', () => {
  assert.ok(isTaskName('convertPartition'));
  assert.ok(isTaskName('runSpeedtestJob'));
  assert.ok(!isTaskName('constructor'));
  assert.ok(!isTaskName('rm -rf'));
});
