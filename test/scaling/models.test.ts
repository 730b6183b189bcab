import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkModel, chooseModel, fitModel, nnls, predictSeconds } from '../../src/scaling/models.js';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('NNLS: the unconstrained solution when it is non-negative, a zero coefficient when it is not', () => {
  // y = 2 + 3x exactly.
  const rows = [1, 2, 3, 4].map((x) => [1, x]);
  const theta = nnls(rows, rows.map(([, x]) => 2 + 3 * x));
  assert.ok(close(theta[0], 2) && close(theta[1], 3), String(theta));
  // y = 10 - x: the free fit has a negative slope; NNLS keeps slope 0 and the mean as intercept.
  const down = nnls(rows, rows.map(([, x]) => 10 - x));
  assert.equal(down[1], 0);
  assert.ok(close(down[0], 7.5));
});

test('Ernest, Amdahl and USL recover their coefficients from exact points', () => {
  const m = [1, 2, 4, 8, 16, 32];
  const ernest = fitModel('ernest', m.map((w) => ({ workers: w, seconds: 5 + 400 / w + 0.5 * w + 2 * Math.log(w) })));
  [5, 400, 0.5, 2].forEach((v, i) => assert.ok(close(ernest.theta[i], v, 1e-6), `ernest ${ernest.theta}`));
  const amdahl = fitModel('amdahl', m.map((w) => ({ workers: w, seconds: 30 + 600 / w })));
  assert.ok(close(amdahl.theta[0], 30, 1e-9) && close(amdahl.theta[1], 600, 1e-9));
  // USL: lambda 100 images/s, sigma 0.05, kappa 0.01, workload 10,000 images.
  const usl = (w: number) => 10_000 / ((100 * w) / (1 + 0.05 * (w - 1) + 0.01 * w * (w - 1)));
  const fit = fitModel('usl', m.map((w) => ({ workers: w, seconds: usl(w) })));
  assert.ok(close(fit.theta[0], 100, 1e-6) && close(fit.theta[1], 5, 1e-6) && close(fit.theta[2], 1, 1e-6), String(fit.theta));
  assert.ok(close(predictSeconds(fit, 7), usl(7), 1e-9));
});

test('leave-one-out error by hand for a four-point table equals the tool\'s (Amdahl: t = a + b/m)', () => {
  const table = [
    { workers: 1, seconds: 100 },
    { workers: 2, seconds: 56 },
    { workers: 4, seconds: 30 },
    { workers: 8, seconds: 21 },
  ];
  // By hand: hold out point i, fit the line t = a + b x with x = 1/m through the other three
  // (ordinary least squares), predict the held-out t, take the relative error.
  const errors = table.map((held, i) => {
    const rest = table.filter((_, j) => j !== i);
    const xs = rest.map((p) => 1 / p.workers);
    const ys = rest.map((p) => p.seconds);
    const mx = xs.reduce((s, v) => s + v, 0) / 3;
    const my = ys.reduce((s, v) => s + v, 0) / 3;
    const b = xs.reduce((s, x, k) => s + (x - mx) * (ys[k] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const a = my - b * mx;
    assert.ok(a >= 0 && b >= 0, 'the by-hand fits are feasible, so NNLS equals OLS here');
    return (a + b / held.workers - held.seconds) / held.seconds;
  });
  const byHand = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
  const tool = checkModel('amdahl', table);
  assert.ok(close(tool.looError!, byHand, 1e-12), `${tool.looError} vs ${byHand}`);
  // Worked numbers for the record: holding out m=8, the line through the other three is
  // t = 8 + (648/7)/m, which predicts 137/7 s where 21 s was measured: error -10/147.
  assert.ok(close(errors[3], -10 / 147, 1e-12), String(errors[3]));
});

test('a model with more parameters than the held-out fits can determine is not checked', () => {
  const points = [1, 2, 4, 8].map((w) => ({ workers: w, seconds: 10 + 80 / w }));
  const { models, chosen } = chooseModel(points);
  const ernest = models.find((m) => m.model === 'ernest')!;
  assert.equal(ernest.looError, null);
  assert.match(ernest.reason!, /at least 5 measured points/);
  assert.equal(chosen!.model, 'amdahl', 'exact Amdahl data: zero LOO error, fewest parameters on a tie');
  assert.ok(chosen!.looError! < 1e-9);
});

test('the model that predicts held-out points best is chosen: USL past a peak, Amdahl without one', () => {
  const peaked = [1, 2, 4, 8, 16, 32].map((w) => ({ workers: w, seconds: 1000 / w + 20 + 2 * w }));
  assert.equal(chooseModel(peaked).chosen!.model === 'amdahl', false, 'Amdahl cannot slow down past a peak');
  const flat = [1, 2, 4, 8, 16].map((w) => ({ workers: w, seconds: 50 + 500 / w }));
  assert.equal(chooseModel(flat).chosen!.model, 'amdahl');
});
