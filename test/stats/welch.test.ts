import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { welchTest } from '../../src/stats/welch.js';
import { PYTHON } from '../helpers.js';

test("welchTest's p-value equals scipy.stats.ttest_ind(a, b, equal_var=False) (1e-6 relative), tiny ones included", () => {
  const cases = {
    close: { a: [1000, 1010, 990, 1005, 998], b: [1003, 1012, 995, 1001] },
    apart: { a: [812.4, 830.9, 820.2, 799.1, 801.3], b: [1902.1, 2044.7, 1980.3, 2101.9, 1850.2, 2222.2] },
    unequalSpread: { a: [5, 5.1, 4.9, 5.05], b: [2, 9, 4, 12, 1, 7, 3] },
    tiny: { a: Array.from({ length: 40 }, (_, i) => 100 + (i % 5)), b: Array.from({ length: 40 }, (_, i) => 200 + (i % 7)) },
  };
  const script = 'import json,sys\nfrom scipy.stats import ttest_ind\nprint(json.dumps({k: ttest_ind(v["a"], v["b"], equal_var=False).pvalue for k, v in json.load(sys.stdin).items()}))';
  const want = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' }));
  for (const [name, { a, b }] of Object.entries(cases)) {
    const ours = welchTest(a, b)!.p_value;
    assert.ok(Math.abs(ours - want[name]) <= 1e-6 * want[name], `${name}: ${ours} vs scipy ${want[name]}`);
  }
  assert.ok(want.tiny < 1e-50, 'the cases reach tiny p-values');
  assert.equal(welchTest([1], [2, 3]), null);
  assert.equal(welchTest([4, 4], [4, 4]), null, 'no spread at all: no test (scipy gives nan)');
});
