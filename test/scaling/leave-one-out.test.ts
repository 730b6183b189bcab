import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basis, fitModel, leaveOneOutFits, MODEL_NAMES } from '../../src/scaling/models.js';
import { mulberry32 } from '../../src/stats/bootstrap.js';

test('the linear-time leave-one-out fits equal NNLS refitted without each point (feasible and clipped cases)', () => {
  const random = mulberry32(7);
  for (const model of MODEL_NAMES) {
    for (let trial = 0; trial < 20; trial++) {
      const n = 6 + Math.floor(random() * 10);
      // Noisy points, some falling with m and some rising, so that some held-out fits clip a coefficient to 0.
      const points = Array.from({ length: n }, (_, i) => {
        const workers = 1 + i * (1 + Math.floor(random() * 4));
        return { workers, seconds: (trial % 3 === 0 ? 50 - workers : 500 / workers + 5 + 0.3 * workers) * (0.8 + 0.4 * random()) + 60, scale: 1 };
      });
      const fast = leaveOneOutFits(model, points);
      points.forEach((held, i) => {
        const slow = fitModel(model, points.filter((_, j) => j !== i));
        const predicted = (theta: number[]) => basis(model, held.workers).reduce((s, v, j) => s + v * theta[j], 0);
        const a = predicted(fast[i].theta);
        const b = predicted(slow.theta);
        assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${model} trial ${trial} point ${i}: ${fast[i].theta} vs ${slow.theta}`);
      });
    }
  }
});
