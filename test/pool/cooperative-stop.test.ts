import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PipelineError } from '../../src/errors.js';
import { localExecutor } from '../../src/pool/executor.js';
import type { ConvertTask } from '../../src/convert/task-types.js';
import { biggerDataset, waitFor, withTempDir } from '../helpers.js';

/** Every image of the bundled photos (copied `copies` times) as one partition per class folder. */
async function partitions(dir: string, copies: number): Promise<Omit<ConvertTask, 'partition'>[]> {
  const input = await biggerDataset(dir, copies);
  const classes = (await readdir(input)).sort();
  return Promise.all(
    classes.map(async (cls, label) => ({
      files: (await readdir(join(input, cls))).sort().map((f) => ({ path: join(input, cls, f), rel: `${cls}/${f}`, label, className: cls })),
      shardPath: join(dir, `part-${label}.tfrecord`),
      indexPath: join(dir, `part-${label}.idx`),
      fingerprint: 'f'.repeat(64),
      image: { width: 64, height: 64, fit: 'cover' as const, format: 'jpeg' as const, quality: 90, maxPixels: 1e8 },
      compression: 'none' as const,
    })),
  );
}

// Terminating a thread while sharp or libjpeg-turbo work is in flight aborts the whole process
// (SIGABRT, "terminate called after throwing an instance of 'Napi::Error'"): an abort must stop the
// tasks between images instead, let them remove their temporary files, and leave the threads alive.
test('an abort stops running tasks between images: runAll rejects with the reason, no temporary file is left, the pool runs again', async () => {
  await withTempDir(async (dir) => {
    const tasks = (await partitions(dir, 4)).map((t, partition) => ({ ...t, partition }));
    const executor = localExecutor(2);
    try {
      const controller = new AbortController();
      const reason = new PipelineError('ABORTED', 'stopped by SIGINT');
      const running = executor.runAll('convertPartition', tasks, async () => undefined, controller.signal);
      await waitFor(async () => executor.progress().items >= 2);
      controller.abort(reason);
      await assert.rejects(running, (error) => error === reason);
      const left = (await readdir(dir)).filter((f) => f.includes('.tmp') || f.startsWith('part-'));
      assert.deepEqual(left, [], 'no shard and no temporary file of a stopped run');

      // The same threads take new work: the stop request is cleared and nothing was terminated.
      const done: number[] = [];
      await executor.runAll('convertPartition', tasks.slice(0, 1), async (result) => void done.push(result.entry.records));
      assert.deepEqual(done, [tasks[0].files.length]);
    } finally {
      await executor.close();
    }
  });
});

test('the first failing task stops the others; runAll rejects with that failure, not a later one', async () => {
  await withTempDir(async (dir) => {
    const tasks = (await partitions(dir, 2)).map((t, partition) => ({ ...t, partition }));
    // A shard path in a folder that does not exist: the writer fails at once.
    tasks[0] = { ...tasks[0], shardPath: join(dir, 'missing', 'part.tfrecord'), indexPath: join(dir, 'missing', 'part.idx') };
    const executor = localExecutor(2);
    try {
      await assert.rejects(executor.runAll('convertPartition', tasks, async () => undefined), (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
      const left = (await readdir(dir)).filter((f) => f.includes('.tmp'));
      assert.deepEqual(left, []);
    } finally {
      await executor.close();
    }
  });
});
