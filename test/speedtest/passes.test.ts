import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { inOrder } from '../../src/async/in-order.js';
import { DecodedCache, runPasses } from '../../src/speedtest/pass.js';
import type { ImageSource } from '../../src/speedtest/sources.js';
import { StageClock } from '../../src/speedtest/stages.js';

interface Work {
  item: number;
  start: number;
  end: number;
}

/**
 * A source like the images source (several items in flight through inOrder), whose items take a
 * few milliseconds each and log when their work starts and ends.
 */
function fakeSource(size: number, log: Work[], clock?: StageClock): ImageSource {
  return {
    size,
    from(position) {
      const items = Array.from({ length: size - position }, (_, i) => position + i);
      return inOrder(items, 4, async (item) => {
        const work = { item, start: performance.now(), end: NaN };
        log.push(work);
        await sleep(2 + (item % 3) * 3);
        work.end = performance.now();
        clock?.mark('read', work.start, work.end);
        return { image: { pixels: Buffer.alloc(12, item), width: 2, height: 2 }, bytesRead: 10 };
      });
    },
  };
}

test('timed passes are exact: no work started in one pass runs during another, warm-up included', async () => {
  const log: Work[] = [];
  const clock = new StageClock();
  // 3 batches of 2 = 6 images a pass from a 100-item source: every pass leaves 4 items in flight.
  const passes = await runPasses(fakeSource(100, log, clock), { batchSize: 2, batchNumber: 3, warmup: 2, repetitions: 3, clock });
  const finished = performance.now();
  assert.equal(passes.length, 3, 'warm-up passes are not returned');
  assert.ok(log.length >= 5 * 6 + 4, 'every pass started more work than it used');
  for (const [i, pass] of passes.entries()) {
    assert.equal(pass.images, 6);
    // Exactly the pass's own images: 6 from storage (of the 6..10 it started).
    assert.equal(pass.bytesRead, 60, `pass ${i} counts only the items it delivered`);
    const next = passes[i + 1]?.startedAt ?? finished;
    const mine = log.filter((w) => w.start >= pass.startedAt && w.start < next);
    assert.ok(mine.length >= 6, `pass ${i} did its own work`);
    for (const w of mine) assert.ok(w.end <= next, `item ${w.item} of pass ${i} ended ${w.end - next} ms into the next pass`);
    // Nothing started before this pass (warm-up or earlier passes) was still running when it started.
    for (const w of log.filter((w) => w.start < pass.startedAt)) assert.ok(w.end <= pass.startedAt, `item ${w.item} leaked into pass ${i}`);
  }
  // Warm-up work ended before the first timed pass began.
  const warmupWork = log.filter((w) => w.start < passes[0].startedAt);
  assert.ok(warmupWork.length >= 2 * 6);
  assert.ok(Math.max(...warmupWork.map((w) => w.end)) <= passes[0].startedAt);
});

test('stage times and wait add up to the pass wall time; first batch and its time are recorded', async () => {
  const clock = new StageClock();
  const [pass] = await runPasses(fakeSource(100, [], clock), { batchSize: 4, batchNumber: 5, warmup: 0, repetitions: 1, clock });
  const { share, wait, busy } = pass.stages;
  const total = Object.values(share).reduce((a, b) => a + b, 0) + wait;
  assert.ok(Math.abs(total - pass.seconds * 1000) <= 1e-6 * pass.seconds * 1000, `${total} vs ${pass.seconds * 1000}`);
  assert.ok(share.read > 0.5 * pass.seconds * 1000, 'the fake source spends its time reading');
  assert.ok(busy.read > share.read, 'overlapping reads: busy time exceeds their wall share');
  assert.ok(share.assembly > 0);
  assert.equal(pass.firstBatchImages, 4);
  assert.ok(pass.firstBatchMs > 0 && pass.firstBatchMs < pass.seconds * 1000);
});

test('with the cache on, warm-up fills it and timed passes are served from it without touching the source', async () => {
  const log: Work[] = [];
  const cache = new DecodedCache(1 << 20);
  const passes = await runPasses(fakeSource(8, log), { batchSize: 4, batchNumber: 2, warmup: 1, repetitions: 2, cache });
  assert.equal(log.length, 8, 'only the warm-up read the source');
  for (const pass of passes) {
    assert.equal(pass.cachedImages, 8);
    assert.equal(pass.bytesRead, 0);
  }
});
