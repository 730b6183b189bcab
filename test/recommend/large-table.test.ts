import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend, recommendNext } from '../../src/recommend/recommend.js';

// The fit was quadratic in the table (10,000 distinct counts took minutes); now it is linear. A bound
// far above the linear time (about a second here) and far below the quadratic one.
test('recommend and --next on 30,000 rows of distinct worker counts answer in seconds', { timeout: 120_000 }, async () => {
  const lines = ['workers,seconds,run'];
  for (let m = 1; m <= 30_000; m++) lines.push(`${m},${(100_000 / m + 10 + 0.05 * m).toFixed(2)},r${m}`);
  const table = lines.join('\n');
  const t0 = performance.now();
  const answer = await recommend({ table, model: 'auto' });
  const next = await recommendNext({ table });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(answer.measured.length, 30_000);
  assert.ok(Math.abs(answer.recommended!.workers - Math.sqrt(100_000 / 0.05)) < 50, String(answer.recommended!.workers));
  assert.ok('next' in next);
  assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s`);
});
