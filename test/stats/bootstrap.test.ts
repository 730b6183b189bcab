import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { BOOTSTRAP, medianInterval, medianRatioInterval } from '../../src/stats/bootstrap.js';
import { PYTHON } from '../helpers.js';

/** The same generator and resampling in Python, with numpy's median and percentile. */
const SCRIPT = `
import json, sys
import numpy as np
def mulberry32(seed):
    a = seed & 0xFFFFFFFF
    def imul(x, y):
        return (x * y) & 0xFFFFFFFF
    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
    return nxt
d = json.load(sys.stdin)
def pick(values, rnd):
    return [values[int(rnd() * len(values))] for _ in values]
rnd = mulberry32(d["seed"])
meds = [np.median(pick(d["a"], rnd)) for _ in range(d["resamples"])]
rnd = mulberry32(d["seed"])
ratios = []
for _ in range(d["resamples"]):
    ma = np.median(pick(d["a"], rnd))
    ratios.append(np.median(pick(d["b"], rnd)) / ma)
print(json.dumps(dict(median=np.percentile(meds, [2.5, 97.5]).tolist(), ratio=np.percentile(ratios, [2.5, 97.5]).tolist())))
`;

test('bootstrap intervals of a median and of a ratio of medians equal numpy with the same seeded resamples (1e-9)', () => {
  const a = [812.4, 1630.9, 2210.2, 799.1, 1701.3, 2300.5, 820, 1599.9, 2254.4, 1111.1, 1500];
  const b = [1902.1, 2044.7, 1980.3, 2101.9, 1850.2, 2222.2, 1999.9];
  const want = JSON.parse(execFileSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify({ a, b, seed: BOOTSTRAP.seed, resamples: BOOTSTRAP.resamples }), encoding: 'utf8' }));
  const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-9 * Math.abs(y), `${what}: ${x} vs ${y}`);
  const m = medianInterval(a)!;
  close(m[0], want.median[0], 'median low');
  close(m[1], want.median[1], 'median high');
  const r = medianRatioInterval(a, b)!;
  close(r[0], want.ratio[0], 'ratio low');
  close(r[1], want.ratio[1], 'ratio high');
  assert.ok(m[0] < m[1] && r[0] < r[1]);
  assert.deepEqual(medianInterval(a), m, 'the same seed gives the same interval');
  assert.equal(medianInterval([5]), null);
});
