import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from '../../src/recommend/analyse.js';
import type { MeasuredRow } from '../../src/recommend/measurements.js';

/** A table of measured runs from a known time law (seconds for the workload at m workers). */
function table(law: (m: number) => number, workers: number[], extra: Partial<MeasuredRow> = {}): MeasuredRow[] {
  return workers.map((w) => ({ source: 'synthetic', machine: 'default', workers: w, seconds: law(w), extra: {}, ...extra }));
}

const bestOf = (law: (m: number) => number, max: number, objective = (m: number) => law(m)) =>
  Array.from({ length: max }, (_, i) => i + 1).reduce((b, m) => (objective(m) < objective(b) ? m : b));

test('slowdown past a peak: the unmeasured optimum between measured counts is found (USL)', () => {
  // seconds = 2000/m + 10 + 0.8 m: fastest at sqrt(2000 / 0.8) = 50 workers, not measured.
  const law = (m: number) => 2000 / m + 10 + 0.8 * m;
  const rec = analyse(table(law, [1, 2, 4, 8, 16, 32, 64, 128]), { goal: 'time' }).result;
  assert.equal(rec.recommended!.workers, 50);
  assert.equal(rec.recommended!.measured, false);
  assert.equal(rec.basis, 'model');
  assert.ok(rec.fit!.chosen === 'usl' || rec.fit!.chosen === 'ernest', rec.fit!.chosen!);
  assert.ok(rec.fit!.looError! < 1e-6);
  assert.ok(rec.candidates.find((c) => c.workers === 128)!.predictedSeconds > rec.recommended!.predictedSeconds);
});

test('memory step change: no smooth model predicts it, so the table answers and says why', () => {
  // The data fits in memory from 8 workers on: time falls by 8x there.
  const law = (m: number) => (m >= 8 ? 100 / m : 800 / m) + 1;
  const rec = analyse(table(law, [1, 2, 4, 8, 16, 32]), { goal: 'cost' }).result;
  assert.equal(rec.recommended!.workers, 8, 'the cheapest: the first count where the data fits');
  assert.equal(rec.recommended!.measured, true);
  assert.equal(rec.basis, 'table');
  assert.equal(rec.fit!.chosen, null);
  assert.match(rec.notes.join(' '), /no model predicts its held-out points within 25%/);
  assert.ok(rec.candidates.every((c) => c.measured), 'no unchecked predictions among the candidates');
});

test('fewer than 4 points: no model checked, the answer from the table, flagged', () => {
  const rec = analyse(table((m) => 100 / m, [1, 2]), { goal: 'time', model: 'auto' }).result;
  assert.equal(rec.fit!.chosen, null);
  assert.equal(rec.basis, 'table');
  assert.deepEqual(rec.candidates.map((c) => c.workers), [1, 2]);
  assert.match(rec.notes.join(' '), /2 measured points: no model can be checked/);
  assert.ok(!JSON.stringify(rec).includes('"r2"'), 'no goodness of fit claimed on two points');
});

test('goal cost, a budget, and the weighted goal pick the right counts', () => {
  const law = (m: number) => 3600 * (0.2 + 0.8 / m); // Amdahl: 20% serial; one worker takes an hour
  const rows = table(law, [1, 2, 4, 8]);
  const cost = analyse(rows, { goal: 'cost', model: 'auto', pricePerWorkerHour: 2 }).result;
  assert.equal(cost.recommended!.workers, 1);
  assert.ok(Math.abs(cost.recommended!.cost - 2) < 1e-9, 'one worker for an hour at 2 an hour');
  const time = analyse(rows, { goal: 'time', model: 'auto', pricePerWorkerHour: 2 }).result;
  assert.equal(time.recommended!.workers, 16, 'Amdahl never slows down: the most workers considered (2x the measured)');
  const costAt = (w: number) => 2 * w * (0.2 + 0.8 / w);
  const budgeted = analyse(rows, { goal: 'time', model: 'auto', pricePerWorkerHour: 2, budget: (costAt(5) + costAt(6)) / 2 }).result;
  assert.equal(budgeted.recommended!.workers, 5, 'the fastest within the budget');
  const none = analyse(rows, { goal: 'time', model: 'auto', budget: 0.1 }).result;
  assert.equal(none.recommended, null);
  assert.match(none.notes.join(' '), /no candidate fits the budget/);
  const weighted = analyse(rows, { goal: 'weighted', alpha: 1, beta: 3600, model: 'auto' }).result;
  assert.equal(weighted.recommended!.workers, bestOf(law, 16, (m) => law(m) * (1 + m)));
});

test('--candidates: exactly those counts, with every field; measured ones keep their measured value', () => {
  const law = (m: number) => 500 / m + 5 + 0.5 * m; // fastest at about 32
  const rows = table(law, [1, 2, 4, 8, 16]);
  rows[2].seconds = law(4) * 1.01; // a measured value is used as measured, not smoothed
  const rec = analyse(rows, { goal: 'time', model: 'auto', candidates: [4, 6, 8, 12, 16, 24, 32, 48] }).result;
  assert.deepEqual(rec.candidates.map((c) => c.workers), [4, 6, 8, 12, 16, 24, 32, 48]);
  for (const c of rec.candidates) assert.deepEqual(Object.keys(c).sort(), ['cost', 'extrapolation', 'machine', 'measured', 'objective', 'predictedFrom', 'predictedSeconds', 'withinBudget', 'workers']);
  const four = rec.candidates.find((c) => c.workers === 4)!;
  assert.equal(four.measured, true);
  assert.equal(four.predictedFrom, 'measured');
  assert.equal(four.predictedSeconds, law(4) * 1.01);
  assert.equal(rec.candidates.find((c) => c.workers === 48)!.extrapolation, 'far');
  assert.equal(rec.candidates.find((c) => c.workers === 24)!.extrapolation, 'near');
  assert.match(rec.notes.join(' '), /candidates lie more than 2x outside the measured/);
});

test('a far extrapolation recommended is flagged', () => {
  const rec = analyse(table((m) => 10 + 1000 / m, [1, 2, 3, 4]), { goal: 'time', model: 'auto', candidates: [1, 2, 3, 4, 64] }).result;
  assert.equal(rec.recommended!.workers, 64);
  assert.equal(rec.recommended!.extrapolation, 'far');
  assert.match(rec.notes.join(' '), /far outside the measured 1-4: the prediction there is a guess/);
});

test('several machine types: one fit each, the answer a (machine, count) pair, prices per machine', () => {
  const small = (m: number) => 4000 / m + 20 + 1.5 * m; // peak at about 52
  const large = (m: number) => 1500 / m + 30 + 4 * m; // faster per node, peak at about 19
  const rows = [
    ...table(small, [1, 2, 4, 8, 16, 32], { machine: 'small', pricePerHour: 0.1 }),
    ...table(large, [1, 2, 4, 8, 16, 32], { machine: 'large', pricePerHour: 0.5 }),
  ];
  const time = analyse(rows, { goal: 'time', model: 'auto', maxWorkers: 64 }).result;
  assert.deepEqual(time.fits.map((f) => f.machine).sort(), ['large', 'small']);
  const best = ['small', 'large'].flatMap((machine) => Array.from({ length: 64 }, (_, i) => ({ machine, m: i + 1, t: (machine === 'small' ? small : large)(i + 1) }))).reduce((b, c) => (c.t < b.t ? c : b));
  assert.deepEqual({ machine: time.recommended!.machine, workers: time.recommended!.workers }, { machine: best.machine, workers: best.m });
  const cost = analyse(rows, { goal: 'cost', model: 'auto', maxWorkers: 64 }).result;
  const cheapest = ['small', 'large'].flatMap((machine) => Array.from({ length: 64 }, (_, i) => {
    const m = i + 1;
    const t = (machine === 'small' ? small : large)(m);
    return { machine, m, c: (t / 3600) * m * (machine === 'small' ? 0.1 : 0.5) };
  })).reduce((b, c) => (c.c < b.c ? c : b));
  assert.deepEqual({ machine: cost.recommended!.machine, workers: cost.recommended!.workers }, { machine: cheapest.machine, workers: cheapest.m });
  assert.equal(new Set(time.candidates.map((c) => c.machine)).size, 2);
});

test('a million-worker range is searched but only a bounded list is returned', () => {
  const law = (m: number) => 1e6 / m + 10 + 0.001 * m; // peak at sqrt(1e9) = 31623
  const rec = analyse(table(law, [1, 10, 100, 1000, 10000]), { goal: 'time', model: 'auto', maxWorkers: 1_000_000 }).result;
  assert.ok(rec.candidates.length <= 140, String(rec.candidates.length));
  assert.ok(rec.candidatesConsidered > rec.candidates.length);
  assert.equal(rec.recommended!.workers, 31623);
  assert.ok(JSON.stringify(rec).length < 100_000);
});

test('counts above the measured machine\'s cores are noted', () => {
  const rec = analyse(table((m) => 100 / Math.min(m, 2), [1, 2, 4, 8], { cores: 2 }), { goal: 'time' }).result;
  assert.match(rec.notes.join(' '), /measured worker counts 4, 8 exceed the 2 cores/);
});

test('columns that vary between runs of one count are pooled and named', () => {
  const rows = [...table((m) => 100 / m, [1, 2, 4, 8], { extra: { batch_size: '32' } }), ...table((m) => 50 / m, [1, 2, 4, 8], { extra: { batch_size: '64' } })];
  const rec = analyse(rows, { goal: 'time' }).result;
  assert.match(rec.notes.join(' '), /rows differ in batch_size \(32, 64\).*--where batch_size=VALUE/);
  assert.equal(rec.measured.find((p) => p.workers === 1)!.runs, 2);
});

test('Ernest with a varying data size predicts at the asked scale', () => {
  const law = (m: number, s: number) => 2 + (3 * s) / m + 0.05 * m + 0.5 * Math.log(m);
  const rows: MeasuredRow[] = [];
  for (const s of [10, 20, 40]) for (const m of [1, 2, 4, 8]) rows.push({ source: 't', machine: 'default', workers: m, seconds: law(m, s), scale: s, extra: {} });
  const rec = analyse(rows, { goal: 'time', model: 'auto', scale: 80, candidates: [16] }).result;
  assert.equal(rec.fit!.chosen, 'ernest');
  assert.ok(Math.abs(rec.candidates[0].predictedSeconds - law(16, 80)) < 1e-6);
});
