import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fitOls } from '../../src/stats/ols.js';
import { tCritical } from '../../src/stats/student-t.js';
import { PYTHON } from '../helpers.js';

const near = (ours: number, theirs: number, rel: number, what: string) =>
  assert.ok(Math.abs(ours - theirs) <= rel * Math.max(Math.abs(ours), Math.abs(theirs)) || Math.abs(ours - theirs) < 1e-300, `${what}: ours ${ours}, scipy ${theirs}`);

test('tCritical equals scipy t.ppf(0.975, df) to 1e-9, integer and Welch (fractional) df', () => {
  const dfs = [1, 2, 3, 4.5, 7, 10, 22, 30, 117.3, 1000, 1e6];
  const scipy = JSON.parse(execFileSync(PYTHON, ['-c', 'import json,sys; from scipy.stats import t; print(json.dumps([t.ppf(0.975, d) for d in json.load(sys.stdin)]))'], { input: JSON.stringify(dfs), encoding: 'utf8' }));
  // 1e-9, not tighter: scipy's ppf is itself up to 2.5e-10 off (df 7; mpmath at 40 digits agrees with
  // ours to 1e-15), and 2e-11 off at df 1, a Cauchy whose exact value is tan(0.475 pi).
  dfs.forEach((df, i) => near(tCritical(0.05, df), scipy[i], 1e-9, `df ${df}`));
  near(tCritical(0.05, 1), Math.tan(0.475 * Math.PI), 1e-14, 'df 1, exact');
});

test('fitOls equals numpy lstsq + scipy t on a grid like the speed test (1e-9; p 1e-6), VIFs as statsmodels defines them', () => {
  // A 3 x 3 x 3 grid of batch size, batch number, repetition, with data_size = size x number (an interaction).
  let s = 11;
  const noise = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const cols: Record<string, number[]> = { batch_size: [], batch_number: [], repetition: [], data_size: [] };
  const y: number[] = [];
  for (const bs of [8, 16, 32]) for (const bn of [10, 30, 60]) for (const rep of [1, 2, 3]) {
    cols.batch_size.push(bs);
    cols.batch_number.push(bn);
    cols.repetition.push(rep);
    cols.data_size.push(bs * bn);
    y.push(900 + 6 * bs + 2.5 * bn - 0.01 * bs * bn + 4 * rep + 80 * noise());
  }
  const outcome = fitOls(cols, y);
  assert.ok(outcome.ok);
  const script = `
import json, sys
import numpy as np
from scipy.stats import t as student
d = json.load(sys.stdin)
names = list(d["cols"].keys())
X = np.column_stack([np.ones(len(d["y"]))] + [np.array(d["cols"][k], float) for k in names])
y = np.array(d["y"], float)
beta = np.linalg.lstsq(X, y, rcond=None)[0]
n, p = X.shape
resid = y - X @ beta
s2 = resid @ resid / (n - p)
inv = np.linalg.inv(X.T @ X)
se = np.sqrt(s2 * np.diag(inv))
tv = beta / se
crit = student.ppf(0.975, n - p)
r2 = 1 - (resid @ resid) / np.sum((y - y.mean()) ** 2)
vif = [None]
for j in range(1, p):
    others = np.delete(X, j, axis=1)
    fit = np.linalg.lstsq(others, X[:, j], rcond=None)[0]
    res = X[:, j] - others @ fit
    r2j = 1 - res @ res / np.sum((X[:, j] - X[:, j].mean()) ** 2)
    vif.append(1 / (1 - r2j))
print(json.dumps(dict(beta=beta.tolist(), se=se.tolist(), t=tv.tolist(), p=(2 * student.sf(np.abs(tv), n - p)).tolist(),
  lo=(beta - crit * se).tolist(), hi=(beta + crit * se).tolist(), r2=r2, adj=1 - (1 - r2) * (n - 1) / (n - p), vif=vif)))`;
  const want = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify({ cols, y }), encoding: 'utf8' }));
  assert.deepEqual(outcome.terms.map((t) => t.term), ['intercept', 'batch_size', 'batch_number', 'repetition', 'data_size']);
  outcome.terms.forEach((term, i) => {
    near(term.coefficient, want.beta[i], 1e-9, `${term.term} coefficient`);
    near(term.stderr, want.se[i], 1e-9, `${term.term} stderr`);
    near(term.t, want.t[i], 1e-9, `${term.term} t`);
    near(term.ci_low, want.lo[i], 1e-9, `${term.term} ci_low`);
    near(term.ci_high, want.hi[i], 1e-9, `${term.term} ci_high`);
    near(term.p_value, want.p[i], 1e-6, `${term.term} p`);
    if (i > 0) near(term.vif, want.vif[i], 1e-9, `${term.term} vif`);
  });
  near(outcome.r2, want.r2, 1e-9, 'r2');
  near(outcome.adjR2, want.adj, 1e-9, 'adjusted r2');
});

test('a column that is a linear combination of the others is dropped and named; too few passes give a note', () => {
  const x = [1, 2, 3, 4, 5, 6];
  const outcome = fitOls({ a: x, b: x.map((v) => 2 * v + 1), c: [3, 1, 4, 1, 5, 9] }, [2, 4, 5, 4, 6, 9]);
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.dropped, ['b']);
  assert.deepEqual(outcome.terms.map((t) => t.term), ['intercept', 'a', 'c']);
  const few = fitOls({ a: [1, 2] }, [1, 3]);
  assert.equal(few.ok, false);
});
