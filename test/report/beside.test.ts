import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, truncate } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { report } from '../../src/report/report.js';
import { ROOT, runCli } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from '../storage/gateway.js';
import { uploadFolder } from '../storage/helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const base = mkdtempSync(join(tmpdir(), 'pipeline-beside-'));
const LOCAL = join(base, 'local');
const BUCKET = join(base, 'bucket');
/** The same small grid in both places. */
const GRID = { cache: 'both' as const, batchSizes: [8], batchNumbers: [2], repetitions: [1, 2, 3], warmup: 0, workers: 2 };

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
  await convert({ input: PHOTOS, out: join(base, 'shards'), partitions: 2, size: '32x32' });
  await speedtest({ images: PHOTOS, tfrecords: join(base, 'shards'), out: LOCAL, ...GRID });
  const bucket = await freshBucket(gateway);
  await uploadFolder(gateway, bucket, PHOTOS, 'photos/');
  await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/shards`, partitions: 2, size: '32x32', workers: 2 });
  await speedtest({ images: `s3://${bucket}/photos`, tfrecords: `s3://${bucket}/shards`, out: BUCKET, ...GRID });
});
after(async () => {
  await gateway?.stop();
  await rm(base, { recursive: true, force: true });
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median images/s per "dataset/cache", straight from a run's measurements.csv. */
async function csvMedians(run: string): Promise<Record<string, number>> {
  const rows = parse(await readFile(join(run, 'measurements.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const groups: Record<string, number[]> = {};
  for (const r of rows) (groups[`${r.dataset}/${r.cache}`] ??= []).push(Number(r.images_per_second));
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, median(v)]));
}

test('report --beside a bucket run: beside.csv, summary.md, report.html and the chart hold both grids, their medians and TFRecord/images ratios', async () => {
  const out = join(base, 'report');
  const result = await report({ run: LOCAL, beside: BUCKET, out });
  assert.ok(result.files.includes('beside.csv'));
  assert.ok(result.charts.includes('beside-ratio'));

  const rows = parse(await readFile(join(out, 'beside.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const [local, bucket] = [await csvMedians(LOCAL), await csvMedians(BUCKET)];
  const storage = JSON.parse(await readFile(join(BUCKET, 'run.json'), 'utf8')).objectStorage;
  assert.equal(rows.length, 8, 'two runs x two datasets x two cache modes');
  for (const [which, medians, where] of [['this', local, 'local disk'], ['beside', bucket, 'bucket']] as const) {
    for (const key of ['images/off', 'images/on', 'tfrecord/off', 'tfrecord/on']) {
      const [dataset, cache] = key.split('/');
      const row = rows.find((r) => r.run === which && r.dataset === dataset && r.cache === cache);
      assert.ok(row, `${which} ${key}`);
      assert.equal(Number(row.median_images_per_second), medians[key], `${which} ${key}`);
      assert.equal(Number(row.passes), 3);
      assert.equal(row.where, where);
      assert.equal(Number(row.tfrecord_vs_images), medians[`tfrecord/${cache}`] / medians[`images/${cache}`]);
      if (which === 'beside') {
        assert.match(row.location, /^s3:\/\//);
        assert.equal(Number(row.get_requests), storage.get);
        assert.equal(Number(row.ttfb_p50_ms), storage.ttfb_p50_ms);
      } else {
        assert.equal(row.get_requests, '', 'no requests for local data');
        assert.ok(row.location.startsWith('/'), row.location);
      }
    }
  }

  const summary = await readFile(join(out, 'summary.md'), 'utf8');
  assert.match(summary, /## Beside another run/);
  const fmt = (x: number, d: number) => String(Number(x.toPrecision(d)));
  const offRatio = (m: Record<string, number>) => `${fmt(m['tfrecord/off'] / m['images/off'], 3)}x`;
  assert.ok(summary.includes(`| off | ${offRatio(local)} | ${offRatio(bucket)} |`), 'the TFRecord/images ratio of each run, cache off');
  assert.ok(summary.includes(`| images | off | ${fmt(local['images/off'], 5)} | ${fmt(bucket['images/off'], 5)} |`));
  assert.ok(summary.includes(`${storage.get} GET`), 'the bucket run\'s requests');
  const html = await readFile(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>Beside another run<\/h2>/);
  assert.match(html, /id="beside-ratio"/);
  assert.ok((await readFile(join(out, 'charts', 'beside-ratio.svg'), 'utf8')).includes('<svg'));
});

test('report --beside a folder that is not a run: exit 2, one line', async () => {
  const empty = join(base, 'not-a-run');
  await mkdir(empty, { recursive: true });
  const r = await runCli(['report', LOCAL, '--beside', empty, '--out', join(base, 'out-2')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--beside: .*not-a-run is not a run folder/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('report --beside a damaged run: exit 3 naming the file', async () => {
  const damaged = join(base, 'damaged');
  await cp(LOCAL, damaged, { recursive: true });
  await truncate(join(damaged, 'measurements.arrow'), 100);
  const r = await runCli(['report', LOCAL, '--beside', damaged, '--out', join(base, 'out-3')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /damaged\/measurements\.arrow: not a complete Arrow IPC file/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});
