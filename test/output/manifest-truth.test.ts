import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

test('TFRecord files that the manifest does not list are reported by inspect and speedtest, never counted', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const other = join(dir, 'other');
    await convert({ input: PHOTOS, out, partitions: 4, size: '32x32' });
    await convert({ input: PHOTOS, out: other, partitions: 3, size: '32x32' });
    await copyFile(join(other, 'part-00000-of-00003.tfrecord'), join(out, 'part-00000-of-00003.tfrecord'));
    await copyFile(join(other, 'part-00001-of-00003.tfrecord'), join(out, 'extra.tfrecord'));

    const inspected = await runCli(['inspect', out, '--verify', '--json']);
    assert.equal(inspected.code, 0, inspected.stderr);
    const json = JSON.parse(inspected.stdout);
    assert.equal(json.records, 100);
    assert.equal(json.files, 4);
    assert.deepEqual(json.unlisted, [join(out, 'extra.tfrecord'), join(out, 'part-00000-of-00003.tfrecord')]);

    const run = join(dir, 'run');
    const summary = await speedtest({ tfrecords: out, out: run, batchSizes: [4], batchNumbers: [2], repetitions: [1], warmup: 0, workers: 1 });
    assert.equal(summary.rows, 1);
    const info = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    assert.equal(info.datasetSizes.tfrecord, 100);
    assert.ok(info.notes.some((n: string) => /2 TFRecord file\(s\) not in its manifest\.json, not read or counted \(extra\.tfrecord, part-00000-of-00003\.tfrecord\)/.test(n)), info.notes.join('\n'));
  });
});

test('a shard the manifest lists but that is gone: inspect exit 3, speedtest exit 3', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    await rm(join(out, 'part-00001-of-00002.tfrecord'));
    const inspected = await runCli(['inspect', out, '--json']);
    assert.equal(inspected.code, 3);
    assert.equal(JSON.parse(inspected.stdout).errors[0].error, 'listed in manifest.json but missing');
    const speed = await runCli(['speedtest', '--tfrecords', out, '--out', join(dir, 'run'), '--batch-sizes', '4', '--batch-numbers', '2', '--repetitions', '1']);
    assert.equal(speed.code, 3, speed.stderr);
    assert.match(speed.stderr, /1 shard\(s\) listed in manifest\.json are missing \(part-00001-of-00002\.tfrecord\)/);
  });
});

test('the manifest of every folder read decides: a split folder (--split) and each of several targets', async () => {
  await withTempDir(async (dir) => {
    const sp = join(dir, 'sp');
    const other = join(dir, 'other');
    await convert({ input: PHOTOS, out: sp, split: 'train=0.5,val=0.5', size: '32x32' });
    await convert({ input: PHOTOS, out: other, partitions: 1, size: '32x32' });
    const train = JSON.parse(await readFile(join(sp, 'train', 'manifest.json'), 'utf8'));
    const stray = join(sp, 'train', 'extra.tfrecord');
    await copyFile(join(other, 'part-00000-of-00001.tfrecord'), stray);

    const split = JSON.parse((await runCli(['inspect', sp, '--split', 'train', '--json'])).stdout);
    assert.equal(split.records, train.totals.records);
    assert.deepEqual(split.unlisted, [stray]);

    const several = JSON.parse((await runCli(['inspect', join(sp, 'train'), join(sp, 'val'), '--json'])).stdout);
    const val = JSON.parse(await readFile(join(sp, 'val', 'manifest.json'), 'utf8'));
    assert.equal(several.records, train.totals.records + val.totals.records);
    assert.deepEqual(several.unlisted, [stray]);
  });
});

test('a convert folder whose run never finished (shards, _parts, no manifest) is refused by inspect and speedtest: exit 3', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 4, size: '32x32' });
    await rm(join(out, 'manifest.json'));
    await rm(join(out, 'part-00002-of-00004.tfrecord'));
    await mkdir(join(out, '_parts'), { recursive: true });
    const inspected = await runCli(['inspect', out]);
    assert.equal(inspected.code, 3, inspected.stderr);
    assert.match(inspected.stderr, /did not finish.*--resume/);
    const run = await runCli(['speedtest', '--tfrecords', out, '--out', join(dir, 'run'), '--batch-sizes', '4', '--batch-numbers', '2', '--repetitions', '1']);
    assert.equal(run.code, 3, run.stderr);
  });
});
