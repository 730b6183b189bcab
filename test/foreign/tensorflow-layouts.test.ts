/**
 * What TensorFlow's own tools write, by test/foreign/make_foreign.py (its own protobuf encoding):
 * TFX's empty features and type changes, SequenceExamples of video frames, the Object Detection
 * API's keys, TFDS's <name>/<version>/ folders and its dataset_info.json.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { copyFile, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { inspect } from '../../src/inspect/inspect.js';
import { readRecords } from '../../src/tfrecord/reader.js';
import { PYTHON, ROOT, runChecker, runCli, withTempDir } from '../helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'pipeline-tf-layouts-'));
interface Made { dir: string; records: number; files: string[]; image: string; label: string | null; frames?: number; shards_dir?: string }
let made: Record<string, Made>;

before(() => {
  made = JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test', 'foreign', 'make_foreign.py'), join(ROOT, 'fixtures', 'photos'), scratch], { encoding: 'utf8' }));
});
after(() => rm(scratch, { recursive: true, force: true }));

test('the independent checker and inspect agree on records and types (a SequenceExample read by the checker as its context)', async () => {
  for (const name of ['tfx', 'video', 'odapi']) {
    const d = made[name]!;
    const checked = await runChecker(['check', ...d.files.map((f) => join(d.dir, f))]);
    const got = await inspect({ target: d.dir, verify: true });
    assert.equal(got.records, checked.json.records, name);
    assert.equal(got.records, d.records, name);
    // The checker keeps the first record's type; every key's first record here has its usual type.
    assert.deepEqual(got.features, checked.json.features, name);
    const lists = Object.fromEntries(Object.entries(got.featureLists ?? {}).map(([k, l]) => [k, l.types]));
    assert.deepEqual(lists, checked.json.feature_lists ?? {}, name);
  }
});

const grid = { batchSizes: [10], batchNumbers: [3], repetitions: [1], warmup: 0, workers: 1 };

test('TFX: an empty feature is typed empty, not bytes; type counts per key; a conflict is a note, and under --verify --strict exit 3', async () => {
  const got = await inspect({ target: made.tfx!.dir });
  assert.equal(got.features.label, 'int64');
  assert.deepEqual(got.featureTypes.label, { int64: 90, empty: 10 });
  assert.deepEqual(got.featureTypes.weight, { int64: 97, bytes: 3 });
  assert.equal(got.detected?.label?.key, 'label', 'a missing label in some records does not hide the label key');
  assert.deepEqual(got.errors, []);
  assert.match(got.notes.join('\n'), /feature "weight" has 2 types: int64 in 97 records, bytes in 3 \(first not int64: record 7 of /);
  assert.doesNotMatch(got.notes.join('\n'), /feature "label"/, 'an empty feature is not a conflict');
  const strict = await runCli(['inspect', '--verify', '--strict', '--json', made.tfx!.dir]);
  assert.equal(strict.code, 3, strict.stderr);
  const json = JSON.parse(strict.stdout);
  assert.equal(json.errors.length, 1);
  assert.equal(json.errors[0].record, 7);
  assert.match(json.errors[0].error, /feature "weight"/);
});

test('SequenceExample: inspect shows the context and the feature lists; --dump prints images as a summary', async () => {
  const got = await inspect({ target: made.video!.dir, dump: 1 });
  assert.equal(got.records, 10);
  assert.equal(got.sequenceExamples, 10);
  assert.deepEqual(got.features, { label: 'int64', 'video/id': 'bytes', note: 'empty' });
  assert.deepEqual(got.featureLists?.['image/encoded'], { types: { bytes: 30 }, records: 10, frames: { min: 3, max: 3 } });
  assert.deepEqual(got.featureLists?.['frame/index']?.types, { int64: 30 });
  assert.equal(got.detected?.image.key, 'image/encoded');
  assert.equal(got.detected?.frames, true);
  const first = got.examples?.[0] as { context: Record<string, unknown>; featureLists: Record<string, unknown[]> };
  assert.deepEqual(first.context.note, { empty: true });
  assert.equal(first.featureLists['image/encoded']?.length, 3);
  const cli = await runCli(['inspect', '--dump', '1', '--image-key', 'image/encoded', made.video!.dir]);
  assert.equal(cli.code, 0, cli.stderr);
  const line = cli.stdout.split('\n').find((l) => l.includes('featureLists') && l.includes('context'))!;
  assert.ok(line.length < 2000, `a short line, got ${line.length} characters`);
  assert.match(line, /<jpeg 64x48, \d+ bytes: ffd8ff[0-9a-f]+\.\.\., sha256 [0-9a-f]{64}>/);
});

test('SequenceExample: speedtest reads the frames of the feature list, one item per frame, said in run.json; --image-key names the list', async () => {
  await withTempDir(async (dir) => {
    for (const imageKey of [undefined, 'image/encoded']) {
      const out = join(dir, imageKey ? 'named' : 'detected');
      const summary = await speedtest({ tfrecords: made.video!.dir, out, ...grid, ...(imageKey ? { imageKey } : {}) });
      assert.equal(summary.problems, 0, String(summary.firstProblem));
      const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.equal(run.datasetSizes.tfrecord, 30);
      assert.equal(run.tfrecords.keys.frames, true);
      assert.equal(run.tfrecords.keys.image.key, 'image/encoded');
      assert.equal(run.tfrecords.keys.label.key, 'label');
      assert.match(run.tfrecords.items, /one per frame of feature list "image\/encoded" \(30 frames in 10 SequenceExamples\)/);
      const rows = (await readFile(join(out, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
      assert.equal(Number(rows[0]![6]), 30, 'images delivered');
    }
  });
});

test('SequenceExample: a record whose data CRC fails is as many failed reads as it has frames; positions stay right', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'video.tfrecord');
    await copyFile(join(made.video!.dir, 'video.tfrecord'), file);
    // One byte of record 4's last JPEG changed: its data CRC fails, its protobuf still parses.
    const records: { offset: number; length: number }[] = [];
    for await (const r of readRecords(file)) records.push({ offset: r.offset, length: r.data.length });
    const handle = await open(file, 'r+');
    const at = records[4]!.offset + 12 + records[4]!.length - 100;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, at);
    await handle.close();
    const out = join(dir, 'run');
    const summary = await speedtest({ tfrecords: file, out, ...grid, maxProblems: { count: 3 } });
    assert.equal(summary.problems, 1, 'one problem: the record');
    const rows = (await readFile(join(out, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(Number(rows[0]![5]), 30, 'data size: 30 frames');
    // 30 wanted, 3 failed: the pass reads 3 more from a second epoch.
    assert.deepEqual([Number(rows[0]![6]), Number(rows[0]![16])], [30, 2], 'images delivered, epochs');
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.deepEqual([run.problems.reads.tfrecord, run.problems.failed.tfrecord], [33, 3]);
  });
});

test('Object Detection API: image/object/class/label is the label', async () => {
  const got = await inspect({ target: made.odapi!.dir });
  assert.deepEqual(got.detected?.label, { key: 'image/object/class/label', how: 'well-known name' });
  assert.equal(got.detected?.width, 'image/width');
  assert.deepEqual(got.featureTypes['image/object/bbox/xmin'], { float: 100 });
});

test('TFDS data_dir: <name>/ finds <name>/<version>/ shards (the depth said); dataset_info.json split sizes checked, features.json read', async () => {
  const got = await inspect({ target: made.nested!.dir });
  assert.equal(got.files, 2);
  assert.equal(got.records, 100);
  assert.deepEqual(got.errors, []);
  const notes = got.notes.join('\n');
  assert.match(notes, /no shards in the folder itself; 2 found in 3\.0\.1 \(sub-folders are searched 3 levels down\)/);
  assert.match(notes, /dataset_info\.json: split sizes checked, as read: test 40, train 60/);
  assert.match(notes, /features\.json: image \(Image\), label \(ClassLabel\)/);
  assert.match(notes, /TFDS's dataset_info\.json, features\.json read/);
  const train = await inspect({ target: made.nested!.dir, split: 'train' });
  assert.equal(train.records, 60);
  assert.deepEqual(train.errors, []);
});

test('TFDS: a split holding other than its shard lengths is a problem (exit 3)', async () => {
  const got = await inspect({ target: made.tfdsbad!.dir });
  assert.equal(got.errors.length, 1);
  assert.match(got.errors[0]!.error, /split "train": its shard lengths say 81 records, its shards hold 80 \(photos-train\.tfrecord-00001-of-00002 holds 40, 41 said\)$/);
  assert.match(got.errors[0]!.file, /dataset_info\.json$/);
  assert.equal((await runCli(['inspect', made.tfdsbad!.dir])).code, 3);
  assert.deepEqual((await inspect({ target: made.tfds!.dir })).errors, []);
  await withTempDir(async (dir) => {
    await speedtest({ tfrecords: made.tfdsbad!.dir, out: join(dir, 'run'), ...grid });
    const run = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8'));
    assert.match(run.notes.join('\n'), /split "train": its shard lengths say 81 records, its shards hold 80/);
  });
});
