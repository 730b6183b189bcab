/**
 * Workers return finished rows: each thread of a pool holds a slot (src/pool/worker-slot.ts) and
 * writes it, with the setting's workers and partitions, into every row it returns; the driver only
 * orders them.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { once } from 'node:events';
import { localExecutor } from '../../src/pool/executor.js';
import { createPool } from '../../src/pool/pool.js';
import { newProgressBuffer, type TaskOutcome } from '../../src/pool/protocol.js';
import { claimSlot, newSlotRegistry, releaseSlotsExcept } from '../../src/pool/worker-slot.js';
import type { SpeedtestJob, SpeedtestJobResult } from '../../src/speedtest/task.js';
import { ROOT } from '../helpers.js';

test('a thread takes the lowest free slot, keeps it, and a thread that replaces a destroyed one takes the freed slot', () => {
  const registry = newSlotRegistry(3);
  assert.equal(claimSlot(registry, 11), 0);
  assert.equal(claimSlot(registry, 12), 1);
  assert.equal(claimSlot(registry, 11), 0, 'a thread asking again keeps its slot');
  assert.equal(claimSlot(registry, 13), 2);
  assert.equal(claimSlot(registry, 14), -1, 'no more threads than slots');
  releaseSlotsExcept(registry, new Set([11, 13]));
  assert.equal(claimSlot(registry, 15), 1, 'the replacement takes the destroyed thread\'s slot');
});

const FOLDER = join(ROOT, 'fixtures', 'photos', 'insects');

function job(partition: number): SpeedtestJob {
  const images = readdirSync(FOLDER).map((f) => join(FOLDER, f));
  return {
    partition, tasks: [{ task: partition, dataset: 'images', cache: 'off', batchSize: 2, batchNumber: 2 }], images, shards: [],
    width: 32, height: 32, repetitions: 1, warmup: 0, workers: 2, partitions: 2, cacheLimitBytes: 0, runStartMs: Date.now(),
  };
}

test('a thread the pool replaces gives its slot to the new thread: the numbers stay 0 and 1', async () => {
  const pool = createPool(2);
  const round = async () => {
    const outcomes = await Promise.all([0, 1].map(async (p) => (await pool.run({ input: job(p), progress: newProgressBuffer() }, { name: 'runSpeedtestJob' })) as TaskOutcome<'runSpeedtestJob'>));
    return outcomes.map((o) => (o.ok ? { threadId: o.value.threadId, worker: o.value.rows[0].worker } : assert.fail(o.error.message)));
  };
  try {
    const first = await round();
    assert.deepEqual(first.map((r) => r.worker).sort(), [0, 1]);
    const gone = first.find((r) => r.worker === 0)!;
    // The replacement is ready once the pool says so (piscina's workerCreate), not after a sleep.
    const replaced = once(pool, 'workerCreate');
    await pool.threads.find((t) => t.threadId === gone.threadId)!.terminate();
    await replaced;
    const second = await round();
    assert.deepEqual(second.map((r) => r.worker).sort(), [0, 1]);
    const fresh = second.find((r) => !first.some((f) => f.threadId === r.threadId));
    assert.ok(fresh, `the new thread ran a job: ${JSON.stringify(second)}`);
    assert.equal(fresh.worker, 0, 'the new thread took the slot the terminated one held');
  } finally {
    await pool.destroy();
  }
});

test('speed-test rows come back from the pool finished: worker (the thread\'s slot), workers and partitions filled by the worker', async () => {
  const folder = join(ROOT, 'fixtures', 'photos', 'insects');
  const images = readdirSync(folder).map((f) => join(folder, f));
  const jobs: SpeedtestJob[] = Array.from({ length: 4 }, (_, partition) => ({
    partition,
    tasks: [{ task: partition, dataset: 'images', cache: 'off', batchSize: 2, batchNumber: 2 }],
    images,
    shards: [],
    width: 32,
    height: 32,
    repetitions: 2,
    warmup: 0,
    workers: 2,
    partitions: 4,
    cacheLimitBytes: 0,
    runStartMs: Date.now(),
  }));
  const executor = localExecutor(2);
  const results: SpeedtestJobResult[] = [];
  try {
    await executor.runAll('runSpeedtestJob', jobs, async (result) => void results.push(result));
  } finally {
    await executor.close();
  }
  const byThread = new Map<string, Set<number>>();
  for (const r of results) {
    assert.equal(r.rows.length, 2);
    for (const row of [...r.rows, ...r.spans]) {
      assert.ok(row.worker === 0 || row.worker === 1, `worker ${row.worker}`);
      assert.deepEqual([row.workers, row.partitions], [2, 4]);
      byThread.set(r.thread, (byThread.get(r.thread) ?? new Set()).add(row.worker));
    }
    assert.deepEqual(r.spans.map((s) => [s.dataset, s.cache, s.batch_size, s.batch_number, s.rows]), [['images', 'off', 2, 2, 2]]);
  }
  // One worker number per thread, and two threads never share one.
  assert.ok([...byThread.values()].every((s) => s.size === 1));
  const numbers = [...byThread.values()].map((s) => [...s][0]);
  assert.equal(new Set(numbers).size, numbers.length);
});
