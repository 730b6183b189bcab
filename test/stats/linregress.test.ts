import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fitLine } from '../../src/stats/linregress.js';
import { PYTHON } from '../helpers.js';

/** A deterministic pseudo-random sequence (no Math.random: the cases must be the same every run). */
function noise(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function cases(): Record<string, { x: number[]; y: number[] }> {
  const rnd = noise(7);
  const xs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const batch = [8, 16, 32, 64, 8, 16, 32, 64, 8, 16, 32, 64];
  return {
    noisy: { x: xs(30), y: xs(30).map((x) => 3 * x + 50 * rnd()) },
    perfectFit: { x: xs(10), y: xs(10).map((x) => 2.5 * x - 4) },
    negativeSlope: { x: batch, y: batch.map((b) => 5000 - 12 * b + 300 * rnd()) },
    tinyP: { x: xs(200), y: xs(200).map((x) => 1000 + 40 * x + 1500 * rnd()) },
    studyLike: { x: xs(120).map((x) => x % 60), y: xs(120).map((x) => 100 + 7 * (x % 60) + 25 * rnd()) },
    flatY: { x: xs(5), y: [3, 3, 3, 3, 3] },
    throughputScale: { x: [10, 30, 60, 10, 30, 60, 10, 30, 60], y: [812.4, 1630.9, 2210.2, 799.1, 1701.3, 2300.5, 820, 1599.9, 2254.4] },
  };
}

test('fitLine equals scipy.stats.linregress: 1e-9 relative (p-values 1e-6), tiny p-values included', () => {
  const data = cases();
  const script = `
import json, sys
from scipy.stats import linregress
out = {}
for k, v in json.load(sys.stdin).items():
    r = linregress(v["x"], v["y"])
    out[k] = dict(slope=r.slope, intercept=r.intercept, r=r.rvalue, p_value=r.pvalue, stderr=r.stderr, intercept_stderr=r.intercept_stderr)
print(json.dumps(out))
`;
  const scipy = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(data), encoding: 'utf8' }));
  const close = (a: number, b: number, rel: number, what: string) => {
    if (a === b) return;
    assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-300, `${what}: ours ${a}, scipy ${b}`);
  };
  for (const [name, { x, y }] of Object.entries(data)) {
    const outcome = fitLine(x, y);
    assert.ok(outcome.ok, name);
    const ours = outcome.fit;
    const want = scipy[name];
    for (const key of ['slope', 'intercept', 'r', 'stderr', 'intercept_stderr'] as const) close(ours[key], want[key], 1e-9, `${name}.${key}`);
    close(ours.p_value, want.p_value, 1e-6, `${name}.p_value`);
  }
  // The cases do reach the range where 1 - cdf would have returned 0.
  assert.ok(scipy.tinyP.p_value < 1e-100 && scipy.tinyP.p_value > 0, String(scipy.tinyP.p_value));
  assert.ok(scipy.studyLike.p_value < 1e-60);
  assert.ok(scipy.perfectFit.p_value < 1e-30);
});

test('degenerate groups get a reason instead of numbers', () => {
  assert.deepEqual(fitLine([1, 2], [3, 4]), { ok: false, n: 2, note: 'n = 2: at least 3 points are needed for a p-value' });
  const constant = fitLine([5, 5, 5, 5], [1, 2, 3, 4]);
  assert.equal(constant.ok, false);
  assert.match((constant as { note: string }).note, /constant/);
});
