import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { report } from '../../src/report/report.js';
import { PYTHON, runCli, withTempDir } from '../helpers.js';
import { smallRun } from './small-run.js';

test('report on a real run: regression.csv equals scipy on the measurement rows; summary, page and charts written', async () => {
  await withTempDir(async (dir) => {
    const run = await smallRun(dir);
    const result = await report({ run });
    assert.equal(result.regressions, 4 * 4);
    const fits = parse(await readFile(join(run, 'regression.csv')), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(fits[0]), ['dataset', 'cache', 'parameter', 'n', 'slope', 'intercept', 'r', 'r2', 'p_value', 'stderr', 'slope_ci_low', 'slope_ci_high', 'note']);
    const script = `
import csv, json, sys
from scipy.stats import linregress, t
rows = list(csv.DictReader(open(sys.argv[1])))
out = {}
for d in ["images", "tfrecord"]:
    for c in ["off", "on"]:
        g = [r for r in rows if r["dataset"] == d and r["cache"] == c]
        for p in ["batch_size", "batch_number", "repetition", "data_size"]:
            f = linregress([float(r[p]) for r in g], [float(r["images_per_second"]) for r in g])
            q = t.ppf(0.975, len(g) - 2)
            out[f"{d}/{c}/{p}"] = [len(g), f.slope, f.intercept, f.rvalue, f.pvalue, f.stderr, f.slope - q * f.stderr, f.slope + q * f.stderr]
print(json.dumps(out))`;
    const scipy = JSON.parse(execFileSync(PYTHON, ['-c', script, join(run, 'measurements.csv')], { encoding: 'utf8' }));
    for (const f of fits) {
      const [n, slope, intercept, r, p, stderr, ciLow, ciHigh] = scipy[`${f.dataset}/${f.cache}/${f.parameter}`];
      assert.equal(Number(f.n), n);
      const near = (ours: string, theirs: number, rel: number, what: string) =>
        assert.ok(Math.abs(Number(ours) - theirs) <= rel * Math.abs(theirs) + 1e-300, `${f.dataset}/${f.cache}/${f.parameter} ${what}: ${ours} vs ${theirs}`);
      near(f.slope, slope, 1e-9, 'slope');
      near(f.intercept, intercept, 1e-9, 'intercept');
      near(f.r, r, 1e-9, 'r');
      near(f.stderr, stderr, 1e-9, 'stderr');
      near(f.p_value, p, 1e-6, 'p');
      near(f.slope_ci_low, ciLow, 1e-9, 'slope_ci_low');
      near(f.slope_ci_high, ciHigh, 1e-9, 'slope_ci_high');
    }
    const summary = await readFile(join(run, 'summary.md'), 'utf8');
    assert.match(summary, /## Where the time goes\n\n(.+most of the time goes to .+\n){4}/);
    assert.match(summary, /95% percentile bootstrap of the median, 2000 resamples, fixed seed \d+/);
    assert.match(summary, /\| images \| off \| [\d.]+ \| [\d.]+ to [\d.]+ \| 18 \|/, 'medians with their interval');
    assert.match(summary, /TFRecord \/ image files, cache off \| [\d.]+x/);
    assert.match(summary, /cached \/ uncached, images \| [\d.]+x/);
    assert.match(summary, /## Wall time per cache mode/);
    assert.match(summary, /Mean CPU of the process/);
    const charts = await readdir(join(run, 'charts'));
    for (const name of result.charts) {
      assert.ok(charts.includes(`${name}.svg`) && charts.includes(`${name}.png`), name);
    }
    const html = await readFile(join(run, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /(src|href)="https?:/, 'self-contained: nothing fetched from the network');
  });
});

test('a parameter that does not vary gets a row with the reason instead of numbers', async () => {
  await withTempDir(async (dir) => {
    const run = await smallRun(dir, [1]);
    await report({ run });
    const fits = parse(await readFile(join(run, 'regression.csv')), { columns: true }) as Record<string, string>[];
    const repetition = fits.filter((f) => f.parameter === 'repetition');
    assert.equal(repetition.length, 4);
    for (const f of repetition) {
      assert.equal(f.slope, '');
      assert.match(f.note, /constant/);
    }
  });
});

test('report of a folder that is not a run: one clear line, exit 2', async () => {
  const result = await runCli(['report', '/tmp']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /measurements\.arrow: missing/);
});

test('regression-multi.csv equals numpy least squares + scipy t on a real run (1e-9; p 1e-6)', async () => {
  await withTempDir(async (dir) => {
    const run = await smallRun(dir);
    await report({ run });
    const multi = parse(await readFile(join(run, 'regression-multi.csv')), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(multi[0]), ['dataset', 'cache', 'term', 'coefficient', 'stderr', 't', 'p_value', 'ci_low', 'ci_high', 'vif', 'n', 'r2', 'adjusted_r2', 'note']);
    const script = `
import csv, json, sys
import numpy as np
from scipy.stats import t as student
rows = list(csv.DictReader(open(sys.argv[1])))
terms = ["batch_size", "batch_number", "repetition", "data_size"]
out = {}
for d in ["images", "tfrecord"]:
    for c in ["off", "on"]:
        g = [r for r in rows if r["dataset"] == d and r["cache"] == c]
        X = np.column_stack([np.ones(len(g))] + [[float(r[k]) for r in g] for k in terms])
        y = np.array([float(r["images_per_second"]) for r in g])
        beta = np.linalg.lstsq(X, y, rcond=None)[0]
        n, p = X.shape
        res = y - X @ beta
        se = np.sqrt(res @ res / (n - p) * np.diag(np.linalg.inv(X.T @ X)))
        tv = beta / se
        q = student.ppf(0.975, n - p)
        r2 = 1 - res @ res / np.sum((y - y.mean()) ** 2)
        for i, k in enumerate(["intercept"] + terms):
            out[f"{d}/{c}/{k}"] = [beta[i], se[i], tv[i], 2 * student.sf(abs(tv[i]), n - p), beta[i] - q * se[i], beta[i] + q * se[i], r2, 1 - (1 - r2) * (n - 1) / (n - p)]
print(json.dumps(out))`;
    const want = JSON.parse(execFileSync(PYTHON, ['-c', script, join(run, 'measurements.csv')], { encoding: 'utf8' }));
    assert.equal(multi.length, 4 * 5);
    for (const m of multi) {
      const key = `${m.dataset}/${m.cache}/${m.term}`;
      const [coef, se, t, p, lo, hi, r2, adj] = want[key];
      const near = (ours: string, theirs: number, rel: number, what: string) =>
        assert.ok(Math.abs(Number(ours) - theirs) <= rel * Math.abs(theirs) + 1e-300, `${key} ${what}: ${ours} vs ${theirs}`);
      near(m.coefficient, coef, 1e-9, 'coefficient');
      near(m.stderr, se, 1e-9, 'stderr');
      near(m.t, t, 1e-9, 't');
      near(m.p_value, p, 1e-6, 'p');
      near(m.ci_low, lo, 1e-9, 'ci_low');
      near(m.ci_high, hi, 1e-9, 'ci_high');
      near(m.r2, r2, 1e-9, 'r2');
      near(m.adjusted_r2, adj, 1e-9, 'adjusted r2');
    }
  });
});

test('an interrupted run with problems says so at the top of the page and of summary.md, before any figure', async () => {
  await withTempDir(async (dir) => {
    const run = await smallRun(dir, [1]);
    const info = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    await writeFile(join(run, 'run.json'), JSON.stringify({ ...info, interrupted: true }));
    await writeFile(join(run, 'problems.csv'), 'task,source,offset,error\n3,/data/part-00001.tfrecord,1234,data crc mismatch\n');
    await report({ run });
    const html = await readFile(join(run, 'report.html'), 'utf8');
    const firstFigure = html.indexOf('class="figures"');
    for (const text of ['This run was interrupted', '1 problem (corrupt records or unreadable images', 'data crc mismatch']) {
      const at = html.indexOf(text);
      assert.ok(at > 0 && at < firstFigure, `${text} before the figures`);
    }
    const summary = await readFile(join(run, 'summary.md'), 'utf8');
    assert.ok(summary.indexOf('This run was interrupted') < summary.indexOf('## Median throughput'));
    assert.match(summary, /> \*\*1 problem .*part-00001\.tfrecord at byte 1234: data crc mismatch/);
  });
});
