/** Key detection (src/tfrecord/keys.ts) and shard discovery by content (src/tfrecord/files.ts). */
import assert from 'node:assert/strict';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { encodeExample, type Features } from '../../src/tfrecord/example.js';
import { findRecordFiles, splitOf } from '../../src/tfrecord/files.js';
import { detectKeys } from '../../src/tfrecord/keys.js';
import { writeRecords } from '../../src/tfrecord/writer.js';
import { temporaryPath } from '../../src/output/temporary.js';
import { withTempDir } from '../helpers.js';

const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#808080' } }).png().toBuffer();
const bytes = (b: Uint8Array | string) => ({ bytes: [typeof b === 'string' ? Buffer.from(b) : b] });
const int = (n: number) => ({ int64: [BigInt(n)] });

test('detectKeys: well-known names first, int64 labels before names, sizes from features or the header', () => {
  const slim: Features = { 'image/encoded': bytes(png), 'image/class/label': int(3), 'image/class/text': bytes('cat'), 'image/width': int(8), 'image/height': int(6) };
  const d = detectKeys([slim]);
  assert.deepEqual([d.image, d.label, d.width, d.height], [{ key: 'image/encoded', how: 'well-known name' }, { key: 'image/class/label', how: 'well-known name' }, 'image/width', 'image/height']);
  // Our own convert output: `class` (int64) is the label, `label` (the class name) is not.
  const ours = detectKeys([{ image: bytes(png), label: bytes('cat'), class: int(0) }]);
  assert.equal(ours.label?.key, 'class');
  assert.equal(ours.width, null);
  assert.deepEqual([ours.sizes, ours.storedChannels, ours.formats], [['8x6'], [3], ['png']]);
});

test('detectKeys: by content when no name is known; the option wins; clear errors', () => {
  const odd: Features = { caption: bytes('a grey square'), pixels: bytes(png), y: int(1) };
  assert.deepEqual(detectKeys([odd]).image, { key: 'pixels', how: 'content' });
  // A well-known name that does not hold an image is not taken for one.
  assert.deepEqual(detectKeys([{ image: bytes('not an image'), photo: bytes(png) }]).image, { key: 'photo', how: 'content' });
  assert.deepEqual(detectKeys([odd], { imageKey: 'pixels', labelKey: 'caption' }).label, { key: 'caption', how: 'option' });
  assert.throws(() => detectKeys([odd], { imageKey: 'nope' }), (e: any) => e.code === 'USAGE' && /--image-key.*caption \(bytes\), pixels \(bytes\), y \(int64\)/.test(e.message));
  assert.throws(() => detectKeys([odd], { labelKey: 'nope' }), (e: any) => e.code === 'USAGE');
  assert.throws(() => detectKeys([{ caption: bytes('x') }]), (e: any) => e.code === 'DATA' && /--image-key/.test(e.message));
  assert.throws(() => detectKeys([]), (e: any) => e.code === 'DATA');
});

test('findRecordFiles: shards by content whatever their names, sidecars and other files left out', async () => {
  await withTempDir(async (dir) => {
    const example = encodeExample({ image: bytes(png) });
    for (const name of ['train-00000-of-00002', 'train-00001-of-00002', 'weird-name']) await writeRecords(join(dir, name), [example], { compression: 'none' });
    await writeRecords(join(dir, 'packed'), [example], { compression: 'gzip' });
    await writeRecords(join(dir, 'deflated'), [example], { compression: 'zlib' });
    await writeFile(join(dir, 'README'), 'a dataset\n');
    await writeFile(join(dir, 'train-00000-of-00002.idx'), '0 10\n');
    await writeFile(join(dir, 'dataset_info.json'), '{}');
    await writeFile(join(dir, '.hidden'), 'x');
    const found = await findRecordFiles([dir]);
    assert.deepEqual(found.files.map((f) => f.slice(dir.length + 1)), ['deflated', 'packed', 'train-00000-of-00002', 'train-00001-of-00002', 'weird-name']);
    assert.match(found.notes.join('\n'), /1 file\(s\) that are not TFRecords left out \(README\)/);
    assert.deepEqual(found.splits, { train: 2 });
    const train = await findRecordFiles([dir], { split: 'train' });
    assert.equal(train.files.length, 2);
    // Globs, in any part of the path; a file given by name is taken as it is (checked when read).
    await mkdir(join(dir, 'sub'));
    await copyFile(join(dir, 'weird-name'), join(dir, 'sub', 'x.tfrec'));
    assert.deepEqual((await findRecordFiles([join(dir, 's*', '*.tfrec'), join(dir, 'train-*')])).files.map((f) => f.slice(dir.length + 1)), ['sub/x.tfrec', 'train-00000-of-00002', 'train-00001-of-00002']);
    assert.deepEqual((await findRecordFiles([join(dir, 'README')])).files, [join(dir, 'README')]);
    await assert.rejects(findRecordFiles([join(dir, 'nothing-*')]), (e: any) => e.code === 'NOT_FOUND');
    await assert.rejects(findRecordFiles([join(dir, 'sub')], { split: 'test' }), (e: any) => e.code === 'NOT_FOUND');
  });
});

test('findRecordFiles: a writer\'s temporary file (one name pattern, src/output/temporary.ts) is neither a shard nor a sidecar worth a note', async () => {
  await withTempDir(async (dir) => {
    const example = encodeExample({ image: bytes(png) });
    await writeRecords(join(dir, 'part-00000-of-00001.tfrecord'), [example], { compression: 'none' });
    // A killed writer's leftover: a whole shard's bytes under its temporary name.
    await copyFile(join(dir, 'part-00000-of-00001.tfrecord'), temporaryPath(join(dir, 'part-00001-of-00002.tfrecord')));
    const found = await findRecordFiles([dir]);
    assert.deepEqual(found.files.map((f) => f.slice(dir.length + 1)), ['part-00000-of-00001.tfrecord']);
    assert.deepEqual(found.notes, []);
  });
});

test('splitOf: TFDS and TF-slim names', () => {
  assert.equal(splitOf('/d/mnist-train.tfrecord-00000-of-00016'), 'train');
  assert.equal(splitOf('/d/imagenet2012-validation.tfrecord-00003-of-00064'), 'validation');
  assert.equal(splitOf('/d/validation-00000-of-00128'), 'validation');
  assert.equal(splitOf('/d/part-00000-of-00004.tfrecord'), undefined);
});

test('findRecordFiles: a folder without shards is searched 3 levels down, not 4; the note says where', async () => {
  await withTempDir(async (dir) => {
    const example = encodeExample({ image: bytes(png) });
    await mkdir(join(dir, 'a', 'b', 'c'), { recursive: true });
    await writeRecords(join(dir, 'a', 'b', 'c', 'x-train.tfrecord-00000-of-00001'), [example]);
    await writeFile(join(dir, 'a', 'b', 'c', 'dataset_info.json'), '{}');
    const found = await findRecordFiles([join(dir, 'a')]);
    assert.deepEqual(found.files, [join(dir, 'a', 'b', 'c', 'x-train.tfrecord-00000-of-00001')]);
    assert.match(found.notes.join('\n'), /a: no shards in the folder itself; 1 found in b\/c \(sub-folders are searched 3 levels down\)/);
    assert.match(found.notes.join('\n'), /1 sidecar file\(s\) are not shards; TFDS's dataset_info\.json read/);
    assert.equal((await findRecordFiles([dir])).files.length, 1, '3 levels down from dir');
    // deeper/more/a/b/c: the shards' folder is 4 levels below deeper.
    await mkdir(join(dir, 'deeper', 'more'), { recursive: true });
    await rename(join(dir, 'a'), join(dir, 'deeper', 'more', 'a'));
    assert.equal((await findRecordFiles([join(dir, 'deeper', 'more')])).files.length, 1);
    await assert.rejects(findRecordFiles([join(dir, 'deeper')]), (e: any) => e.code === 'NOT_FOUND' && /down to 3 levels/.test(e.message));
  });
});
