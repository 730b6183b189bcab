import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommendFrom } from '../../src/recommend/recommend.js';
import { fitScaling, predict } from '../../src/recommend/scaling-law.js';
import type { MeasurementRow } from '../../src/speedtest/task.js';

/** Rows of a sweep whose system throughput follows a known USL (per-pass rate = X(N) / N). */
function knowledgeBase(law: { lambda: number; sigma: number; kappa: number }, workers: number[], noise = 0): MeasurementRow[] {
  const rows: MeasurementRow[] = [];
  let task = 0;
  for (const n of workers) {
    for (let rep = 1; rep <= 5; rep++) {
      const wobble = 1 + noise * Math.sin(n * 7 + rep * 13);
      const perPass = (predict(law, n) / n) * wobble;
      rows.push({ dataset: 'tfrecord', cache: 'off', batch_size: 32, batch_number: 10, repetition: rep, data_size: 320, images: 320, seconds: 320 / perPass, images_per_second: perPass, bytes_read: 0, workers: n, partitions: 64, task: task++, worker: 0, start_ms: 0, end_ms: 1, epochs: 1, cached_images: 0 });
    }
  }
  return rows;
}

const tasks = (workers: number[]) => new Map(workers.map((w) => [w, 64]));

test('the USL fit recovers known parameters from exact points', () => {
  const law = { lambda: 1000, sigma: 0.05, kappa: 0.01 };
  const fit = fitScaling([1, 2, 4, 8, 16].map((w) => ({ workers: w, throughput: predict(law, w) })))!;
  assert.equal(fit.model, 'usl');
  assert.ok(Math.abs(fit.lambda - 1000) < 1e-6 && Math.abs(fit.sigma - 0.05) < 1e-9 && Math.abs(fit.kappa - 0.01) < 1e-9, JSON.stringify(fit));
  assert.ok(fit.rmseRelative < 1e-9 && fit.r2 > 0.999999);
});

test('goal time: the measured optimum when more workers are slower (coherency cost)', () => {
  // Peak at sqrt((1 - 0.1) / 0.05) = 4.24 workers: 4 is the fastest; 6 and 8 are slower.
  const law = { lambda: 500, sigma: 0.1, kappa: 0.05 };
  const sweep = [1, 2, 4, 6, 8];
  const rec = recommendFrom(knowledgeBase(law, sweep), { goal: 'time', datasetSize: 100_000, tasksBySetting: tasks(sweep) });
  assert.equal(rec.recommended!.workers, 4);
  assert.equal(rec.recommended!.measured, true);
  assert.ok(rec.candidates.find((c) => c.workers === 8)!.seconds > rec.candidates.find((c) => c.workers === 4)!.seconds);
  assert.match(rec.notes.join(' '), /peak throughput at about 4\.2 workers/);
});

test('goal time with a gap in the sweep: the fitted law finds the unmeasured optimum', () => {
  // Peak at sqrt(0.98 / 0.02) = 7 workers, not measured.
  const law = { lambda: 300, sigma: 0.02, kappa: 0.02 };
  const sweep = [1, 2, 4, 12, 16];
  const rec = recommendFrom(knowledgeBase(law, sweep, 0.01), { goal: 'time', datasetSize: 50_000, tasksBySetting: tasks(sweep) });
  assert.equal(rec.recommended!.workers, 7);
  assert.equal(rec.recommended!.measured, false);
  assert.ok(rec.fit && rec.fit.model === 'usl' && rec.fit.rmseRelative < 0.02);
});

test('goal cost: one worker when scaling is sub-linear; a budget rules out the fastest', () => {
  const law = { lambda: 400, sigma: 0.15, kappa: 0 };
  const sweep = [1, 2, 4];
  const kb = knowledgeBase(law, sweep);
  const cheapest = recommendFrom(kb, { goal: 'cost', datasetSize: 1_000_000, pricePerWorkerHour: 2, tasksBySetting: tasks(sweep) });
  assert.equal(cheapest.recommended!.workers, 1);
  assert.equal(cheapest.fit!.model, 'amdahl');
  const fastest = recommendFrom(kb, { goal: 'time', datasetSize: 1_000_000, pricePerWorkerHour: 2, tasksBySetting: tasks(sweep) });
  assert.equal(fastest.recommended!.workers, 8, 'Amdahl with no coherency cost: the most workers considered (2x the measured)');
  assert.deepEqual(fastest.candidates.filter((c) => c.extrapolated !== 'no').map((c) => c.workers), [5, 6, 7, 8]);
  const cost = (w: number) => fastest.candidates.find((c) => c.workers === w)!.cost;
  const budgeted = recommendFrom(kb, { goal: 'time', datasetSize: 1_000_000, pricePerWorkerHour: 2, budget: (cost(3) + cost(4)) / 2, tasksBySetting: tasks(sweep) });
  assert.equal(budgeted.recommended!.workers, 3, 'the fastest within the budget');
  const none = recommendFrom(kb, { goal: 'time', datasetSize: 1_000_000, pricePerWorkerHour: 2, budget: cost(1) / 10, tasksBySetting: tasks(sweep) });
  assert.equal(none.recommended, null);
  assert.match(none.notes.join(' '), /no candidate fits the budget/);
});

test('weighted goal: alpha * time + beta * cost picks the balance', () => {
  const law = { lambda: 400, sigma: 0.15, kappa: 0 };
  const sweep = [1, 2, 4];
  const kb = knowledgeBase(law, sweep);
  const rec = recommendFrom(kb, { goal: 'weighted', alpha: 1, beta: 3600, datasetSize: 1_000_000, pricePerWorkerHour: 1, tasksBySetting: tasks(sweep) });
  // objective = T + T * w = T (1 + w): minimised where X(w) / (1 + w) is largest.
  const best = [1, 2, 3, 4, 5, 6, 7, 8].reduce((b, w) => (predict(law, w) / (1 + w) > predict(law, b) / (1 + b) ? w : b));
  assert.equal(rec.recommended!.workers, best);
});

test('one measured worker count: no extrapolation, and the answer says why', () => {
  const rec = recommendFrom(knowledgeBase({ lambda: 100, sigma: 0, kappa: 0 }, [2]), { goal: 'time', datasetSize: 1000, tasksBySetting: tasks([2]) });
  assert.equal(rec.fit, null);
  assert.deepEqual(rec.candidates.map((c) => c.workers), [2]);
  assert.match(rec.notes.join(' '), /no scaling law can be fitted/);
});
