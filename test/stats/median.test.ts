import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/stats/bootstrap.js';
import { median } from '../../src/stats/median.js';

const bySort = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

test('the median by selection equals the median by sorting (odd, even, ties, sorted, constant input); NaN in, NaN out', () => {
  const random = mulberry32(11);
  for (let trial = 0; trial < 500; trial++) {
    const n = 1 + Math.floor(random() * 60);
    const values = Array.from({ length: n }, () => (trial % 5 === 0 ? Math.floor(random() * 4) : random() * 1000 - 500));
    if (trial % 7 === 0) values.sort((a, b) => a - b);
    assert.equal(median(values), bySort(values), JSON.stringify(values));
  }
  assert.equal(median([3, 3, 3, 3]), 3);
  assert.ok(Number.isNaN(median([1, NaN, 2])));
});
