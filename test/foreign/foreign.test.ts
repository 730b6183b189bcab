/**
 * Datasets written by another tool (test/foreign/make_foreign.py: its own CRC32C and protobuf
 * encoding, Pillow for the images) in the layouts of TFDS, TF-slim and Kaggle, in greyscale,
 * RGBA, palette, 16-bit and WebP: the speed test reads every image of each, with the keys it
 * detected recorded in run.json.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { PYTHON, ROOT, runCli, withTempDir } from '../helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'pipeline-foreign-'));
interface Made {
  dir: string;
  records: number;
  files: string[];
  image: string;
  label: string | null;
  width: number | null;
  height: number | null;
  channels: number;
}
let made: Record<string, Made>;

before(() => {
  made = JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test', 'foreign', 'make_foreign.py'), join(ROOT, 'fixtures', 'photos'), scratch], { encoding: 'utf8' }));
});
after(() => rm(scratch, { recursive: true, force: true }));

const grid = { batchSizes: [10], batchNumbers: [10], repetitions: [1, 2], warmup: 0, workers: 1 };

for (const name of ['slim', 'kaggle', 'grey', 'rgba', 'palette', 'grey16', 'webp', 'sniff', 'sizes']) {
  test(`${name}: every record read and decoded, keys detected and recorded`, async () => {
    const d = made[name];
    await withTempDir(async (dir) => {
      const out = join(dir, 'run');
      const summary = await speedtest({ tfrecords: d.dir, out, ...grid });
      assert.equal(summary.problems, 0, String(summary.firstProblem));
      const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.equal(run.datasetSizes.tfrecord, d.records);
      assert.equal(run.tfrecords.keys.image.key, d.image);
      assert.equal(run.tfrecords.keys.image.how, name === 'sniff' ? 'content' : 'well-known name');
      assert.equal(run.tfrecords.keys.label?.key ?? null, d.label);
      assert.equal(run.tfrecords.channels, d.channels);
      assert.equal(run.problems.count, 0);
      const rows = (await readFile(join(out, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
      assert.equal(rows.length, 2);
      for (const r of rows) {
        assert.equal(Number(r[6]), 100, 'images delivered');
        assert.ok(Math.abs(Number(r[8]) - 100 / Number(r[7])) < 1e-6 * Number(r[8]), 'images/s = images / seconds');
      }
      if (name === 'sizes') {
        assert.deepEqual(run.tfrecords.keys.sizes.sort(), ['160x120', '200x200', '320x240']);
        assert.match(run.notes.join('\n'), /different sizes .* not resized/);
        assert.equal(run.options.size, undefined);
      } else {
        assert.deepEqual(run.options.size, { width: d.width, height: d.height });
      }
    });
  });
}

test('TFDS folder: --split picks one split; without it both are read and the run says so', async () => {
  const d = made.tfds;
  await withTempDir(async (dir) => {
    await speedtest({ tfrecords: d.dir, split: 'train', out: join(dir, 'train'), ...grid, batchNumbers: [8] });
    const train = JSON.parse(await readFile(join(dir, 'train', 'run.json'), 'utf8'));
    assert.equal(train.datasetSizes.tfrecord, 80);
    assert.equal(train.tfrecords.files.length, 2);
    await speedtest({ tfrecords: d.dir, out: join(dir, 'all'), ...grid });
    const all = JSON.parse(await readFile(join(dir, 'all', 'run.json'), 'utf8'));
    assert.equal(all.datasetSizes.tfrecord, 100);
    assert.match(all.notes.join('\n'), /several splits \(test: 1 file\(s\), train: 2 file\(s\)\)/);
    const wrong = await runCli(['speedtest', '--tfrecords', d.dir, '--split', 'validation', '--out', join(dir, 'x')]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--split validation: .*splits found: test, train/);
  });
});

test('inspect: several files and globs; shows the detected keys', async () => {
  const r = await runCli(['inspect', '--json', join(made.slim.dir, 'train-*'), join(made.kaggle.dir, '*.tfrec'), join(made.grey.dir, made.grey.files[0])]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.files, 5);
  assert.equal(json.records, 300);
  assert.equal(json.errors.length, 0);
  // The keys of the first records (slim's); image/encoded wins over kaggle's image only where all sampled records have it.
  assert.equal(json.detected.image.key, 'image/encoded');
  const human = await runCli(['inspect', made.sniff.dir]);
  assert.match(human.stdout, /detected:\n {2}image: \{"key":"blob","how":"content"\}/);
  const none = await runCli(['inspect', join(made.slim.dir, 'nothing-*')]);
  assert.equal(none.code, 2);
});

test('a stale .idx is ignored with a note (the records are counted), and --verify fails on it', async () => {
  const d = made.stale;
  await withTempDir(async (dir) => {
    await speedtest({ tfrecords: d.dir, out: join(dir, 'run'), ...grid, batchNumbers: [8] });
    const run = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8'));
    assert.equal(run.datasetSizes.tfrecord, 80, 'not the 2 x 25 the indexes claim');
    assert.match(run.notes.join('\n'), /photos-train\.tfrecord-00000-of-00002\.idx ignored, it does not match its shard/);
  });
  const plain = await runCli(['inspect', '--json', d.dir]);
  assert.equal(plain.code, 0);
  assert.equal(JSON.parse(plain.stdout).notes.filter((n: string) => /\.idx ignored/.test(n)).length, 2);
  const verify = await runCli(['inspect', '--verify', '--json', d.dir]);
  assert.equal(verify.code, 3);
  assert.match(JSON.parse(verify.stdout).errors[0].error, /^index line 1: expected "0 \d+" for record 0, got "0 100"/);
});

test('never a silent zero: a dataset delivering nothing exits 3 naming the first problem, and the report says so at the top', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'run');
    const r = await runCli(['speedtest', '--tfrecords', made.broken.dir, '--out', out, '--batch-sizes', '10', '--batch-numbers', '5', '--repetitions', '1', '--workers', '1', '--quiet']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^pipeline: the tfrecord dataset delivered no images; first problem: .*broken\.tfrecord at byte offset 0: cannot decode record: truncated JPEG/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    const report = await runCli(['report', out, '--quiet']);
    assert.equal(report.code, 0, report.stderr);
    const md = await readFile(join(out, 'summary.md'), 'utf8');
    assert.match(md.split('\n').slice(0, 3).join('\n'), /\*\*PROBLEMS: 100 problem\(s\): 200 of 200 reads failed \(100%\)\. The run failed \(exit 3\): the tfrecord dataset delivered no images/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const top = html.indexOf('class="alert" role="alert">PROBLEMS: 100 problem(s): 200 of 200 reads failed (100%). The run failed (exit 3)');
    assert.ok(top > 0 && top < html.indexOf('class="figures"'), 'the problems come before the figures');
  });
});

test('--max-problems: 2% of failed reads exits 3 by default (1%), and passes at 5% or a count of 2', async () => {
  await withTempDir(async (dir) => {
    const args = (out: string, ...extra: string[]) => ['speedtest', '--tfrecords', made.twobad.dir, '--out', join(dir, out), '--batch-sizes', '10', '--batch-numbers', '9', '--repetitions', '1', '--workers', '1', '--warmup', '0', '--quiet', ...extra];
    const strict = await runCli(args('a'));
    assert.equal(strict.code, 3);
    assert.match(strict.stderr, /2 of 92 reads failed \(2\.17%\), over --max-problems 1% of reads; first problem: .*twobad\.tfrecord at byte offset \d+: cannot decode record/);
    assert.equal((await runCli(args('b', '--max-problems', '5%'))).code, 0);
    assert.equal((await runCli(args('c', '--max-problems', '2'))).code, 0);
    assert.equal((await runCli(args('d', '--max-problems', '1'))).code, 3);
    assert.equal((await runCli(args('e', '--max-problems', 'lots'))).code, 2);
  });
});

test('non-TFRecord input is exit 3 with the offset where framing failed', async () => {
  await withTempDir(async (dir) => {
    for (const target of [join(ROOT, 'README.md'), join(ROOT, 'fixtures', 'photos', 'water', 'water-003.jpg')]) {
      const r = await runCli(['speedtest', '--tfrecords', target, '--out', join(dir, 'run'), '--quiet']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /not a TFRecord file: length crc mismatch at byte offset 0/);
    }
  });
});

test('beside greyscale TFRecords, the image files are fitted to their size and decoded to their one channel', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'run');
    const summary = await speedtest({ images: join(ROOT, 'fixtures', 'photos'), tfrecords: made.grey.dir, out, ...grid });
    assert.equal(summary.problems, 0);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.deepEqual([run.options.size, run.tfrecords.channels], [{ width: 28, height: 28 }, 1]);
    const rows = (await readFile(join(out, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(rows.map((r) => [r[0], Number(r[6])]).sort(), [['images', 100], ['images', 100], ['tfrecord', 100], ['tfrecord', 100]]);
  });
});
