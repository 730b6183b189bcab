import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
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
    assert.deepEqual(Object.keys(fits[0]), ['dataset', 'cache', 'parameter', 'n', 'slope', 'intercept', 'r', 'r2', 'p_value', 'stderr', 'note']);
    const script = `
import csv, json, sys
from scipy.stats import linregress
rows = list(csv.DictReader(open(sys.argv[1])))
out = {}
for d in ["images", "tfrecord"]:
    for c in ["off", "on"]:
        g = [r for r in rows if r["dataset"] == d and r["cache"] == c]
        for p in ["batch_size", "batch_number", "repetition", "data_size"]:
            f = linregress([float(r[p]) for r in g], [float(r["images_per_second"]) for r in g])
            out[f"{d}/{c}/{p}"] = [len(g), f.slope, f.intercept, f.rvalue, f.pvalue, f.stderr]
print(json.dumps(out))`;
    const scipy = JSON.parse(execFileSync(PYTHON, ['-c', script, join(run, 'measurements.csv')], { encoding: 'utf8' }));
    for (const f of fits) {
      const [n, slope, intercept, r, p, stderr] = scipy[`${f.dataset}/${f.cache}/${f.parameter}`];
      assert.equal(Number(f.n), n);
      const near = (ours: string, theirs: number, rel: number, what: string) =>
        assert.ok(Math.abs(Number(ours) - theirs) <= rel * Math.abs(theirs) + 1e-300, `${f.dataset}/${f.cache}/${f.parameter} ${what}: ${ours} vs ${theirs}`);
      near(f.slope, slope, 1e-9, 'slope');
      near(f.intercept, intercept, 1e-9, 'intercept');
      near(f.r, r, 1e-9, 'r');
      near(f.stderr, stderr, 1e-9, 'stderr');
      near(f.p_value, p, 1e-6, 'p');
    }
    const summary = await readFile(join(run, 'summary.md'), 'utf8');
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
