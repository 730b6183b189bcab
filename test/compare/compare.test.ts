import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { PYTHON, ROOT, runCli } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-compare-'));
const RUN_A = join(dir, 'a');
const RUN_B = join(dir, 'b');

before(async () => {
  const shards = join(dir, 'shards');
  await convert({ input: PHOTOS, out: shards, partitions: 2, size: '64x64' });
  const grid = { images: PHOTOS, tfrecords: shards, batchSizes: [4, 8], batchNumbers: [3], repetitions: [1, 2, 3, 4] };
  await speedtest({ ...grid, out: RUN_A, workers: 1 });
  // B adds the cache: only the cache-off groups are in both runs.
  await speedtest({ ...grid, out: RUN_B, workers: 2, cache: 'both' });
});

after(() => rm(dir, { recursive: true, force: true }));

test('compare --json: the contract shape; medians, ratios and Welch p-values equal numpy / scipy on the two runs', async () => {
  const out = join(dir, 'cmp');
  const result = await runCli(['compare', RUN_A, RUN_B, '--json', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.equal(json.comparisons.length, 2 * 2, 'datasets x batch sizes of cache off: the groups in both runs');
  assert.match(json.notes.join('\n'), /a ran 1 worker thread\(s\), b 2: images\/s is per pass/);
  for (const c of json.comparisons) {
    assert.deepEqual(Object.keys(c), ['dataset', 'cache', 'batch_size', 'batch_number', 'n_a', 'n_b', 'median_a', 'median_b', 'ratio', 'ratio_ci', 'p_value', 'verdict']);
    assert.equal(c.cache, 'off');
    assert.ok(['faster', 'slower', 'no evidence'].includes(c.verdict));
    assert.ok(c.ratio_ci[0] <= c.ratio_ci[1]);
  }
  const script = `
import csv, json, sys
import numpy as np
from scipy.stats import ttest_ind
def load(path):
    return list(csv.DictReader(open(path)))
a, b = load(sys.argv[1]), load(sys.argv[2])
out = {}
for c in json.loads(sys.argv[3]):
    pick = lambda rows: [float(r["images_per_second"]) for r in rows if r["dataset"] == c["dataset"] and r["cache"] == c["cache"] and int(r["batch_size"]) == c["batch_size"] and int(r["batch_number"]) == c["batch_number"]]
    va, vb = pick(a), pick(b)
    out[f'{c["dataset"]}/{c["batch_size"]}'] = [len(va), len(vb), float(np.median(va)), float(np.median(vb)), float(ttest_ind(va, vb, equal_var=False).pvalue), float(np.mean(vb) - np.mean(va))]
print(json.dumps(out))`;
  const want = JSON.parse(execFileSync(PYTHON, ['-c', script, join(RUN_A, 'measurements.csv'), join(RUN_B, 'measurements.csv'), JSON.stringify(json.comparisons)], { encoding: 'utf8' }));
  const near = (ours: number, theirs: number, rel: number, what: string) => assert.ok(Math.abs(ours - theirs) <= rel * Math.abs(theirs), `${what}: ${ours} vs ${theirs}`);
  for (const c of json.comparisons) {
    const [na, nb, ma, mb, p, meanDiff] = want[`${c.dataset}/${c.batch_size}`];
    assert.equal(c.n_a, na);
    assert.equal(c.n_b, nb);
    near(c.median_a, ma, 1e-12, 'median a');
    near(c.median_b, mb, 1e-12, 'median b');
    near(c.ratio, mb / ma, 1e-12, 'ratio');
    near(c.p_value, p, 1e-6, `${c.dataset}/${c.batch_size} Welch p`);
    assert.equal(c.verdict, p < 0.05 ? (meanDiff > 0 ? 'faster' : 'slower') : 'no evidence');
  }
  const html = await readFile(join(out, 'compare.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /log scale; 1 = same speed/);
  assert.ok(existsSync(join(out, 'compare-ratio.png')));
  assert.match(await readFile(join(out, 'compare.md'), 'utf8'), /\| images \| off \| 4 \| 3 \| 4 \| 4 \|/);
});

test('compare without --json prints the markdown table', async () => {
  const result = await runCli(['compare', RUN_A, RUN_B]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\| dataset \| cache \| batch size \| batch number \|/);
  assert.match(result.stdout, /\| tfrecord \| off \| 8 \| 3 \|/);
});

test('compare of a folder that is not a run is exit 2; of runs with nothing in common, exit 3', async () => {
  const missing = await runCli(['compare', RUN_A, '/tmp']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /measurements\.arrow: missing/);
  const only = join(dir, 'only-on');
  await speedtest({ tfrecords: join(dir, 'shards'), out: only, batchSizes: [4], batchNumbers: [3], repetitions: [1, 2], cache: 'on', workers: 1 });
  const none = await runCli(['compare', RUN_A, only]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /nothing to compare/);
});

test('compare refuses a scaling sweep (several worker counts pooled in one group): exit 2', async () => {
  const sweep = join(dir, 'sweep');
  await speedtest({ tfrecords: join(dir, 'shards'), out: sweep, batchSizes: [4, 8], batchNumbers: [3], repetitions: [1, 2], sweepWorkers: [1, 2] });
  const result = await runCli(['compare', RUN_A, sweep]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /is a scaling sweep \(1 workers, .*; 2 workers/);
});
