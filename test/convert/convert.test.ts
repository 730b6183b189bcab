import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { convert } from '../../src/convert/convert.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { collect, ROOT, runChecker, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

test('convert the bundled photos: checker-verified shards, labels from class folders, 192x192 JPEGs', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    let last: { images: number; inputBytes: number } | undefined;
    const result = await convert({ input: PHOTOS, out, partitions: 3, workers: 2, onProgress: (p) => (last = p) });
    assert.equal(result.images, 100);
    // The progress line's last report counts every image and every byte read (within a KiB an image of rounding).
    const bytes = (await Promise.all((await readdir(PHOTOS, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.jpg')).map((e) => stat(join(e.parentPath, e.name))))).reduce((sum, s) => sum + s.size, 0);
    assert.equal(last?.images, 100);
    assert.ok(Math.abs(last.inputBytes - bytes) <= 100 * 1024, `progress read ${last.inputBytes} bytes of ${bytes}`);
    assert.equal(result.records, 100);
    assert.equal(result.skipped, 0);
    assert.equal(result.shards, 3);
    const names = (await readdir(out)).sort();
    assert.deepEqual(names, [
      'convert-run', 'labels.txt', 'manifest.json',
      'part-00000-of-00003.idx', 'part-00000-of-00003.tfrecord',
      'part-00001-of-00003.idx', 'part-00001-of-00003.tfrecord',
      'part-00002-of-00003.idx', 'part-00002-of-00003.tfrecord',
      'skipped.csv',
    ]);
    const classes = ['flowers', 'insects', 'landscapes', 'textures', 'water'];
    assert.equal(await readFile(join(out, 'labels.txt'), 'utf8'), classes.join('\n') + '\n');

    const shards = names.filter((n) => n.endsWith('.tfrecord')).map((n) => join(out, n));
    const checker = await runChecker(['check', ...shards]);
    assert.equal(checker.code, 0);
    assert.equal(checker.json.records, 100);
    assert.deepEqual(Object.keys(checker.json.features).sort(), ['channels', 'class', 'filename', 'format', 'height', 'image', 'label', 'width']);

    const records = await collect(readRecordsFromFiles(shards));
    const examples = records.map((r) => decodeExample(r.data));
    // Sorted input, contiguous partitions: records are in file-name order across the shards.
    const filenames = examples.map((e) => Buffer.from((e.filename as { bytes: Uint8Array[] }).bytes[0]).toString());
    assert.deepEqual(filenames, [...filenames].sort());
    for (const e of examples) {
      const label = Buffer.from((e.label as { bytes: Uint8Array[] }).bytes[0]).toString();
      const cls = Number((e.class as { int64: bigint[] }).int64[0]);
      assert.equal(classes[cls], label);
      assert.ok(Buffer.from((e.filename as { bytes: Uint8Array[] }).bytes[0]).toString().startsWith(label + '/'));
      assert.deepEqual(
        [(e.height as { int64: bigint[] }).int64[0], (e.width as { int64: bigint[] }).int64[0], (e.channels as { int64: bigint[] }).int64[0]],
        [192n, 192n, 3n],
      );
      assert.equal(Buffer.from((e.format as { bytes: Uint8Array[] }).bytes[0]).toString(), 'jpeg');
    }
    // Decode a sample back: a real 192x192 3-channel JPEG.
    for (const e of [examples[0], examples[57], examples[99]]) {
      const meta = await sharp(Buffer.from((e.image as { bytes: Uint8Array[] }).bytes[0])).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 192, 192, 3]);
    }
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.shards.length, 3);
    assert.equal(manifest.totals.records, 100);
    assert.equal(manifest.skipped, 0);
    assert.match(manifest.shards[0].sha256, /^[0-9a-f]{64}$/);
  });
});

test('the same input with 1 and with 2 workers gives byte-identical shards', async () => {
  await withTempDir(async (dir) => {
    await convert({ input: PHOTOS, out: join(dir, 'one'), partitions: 4, workers: 1 });
    await convert({ input: PHOTOS, out: join(dir, 'two'), partitions: 4, workers: 2 });
    for (const name of (await readdir(join(dir, 'one'))).filter((n) => n.startsWith('part-'))) {
      assert.ok((await readFile(join(dir, 'one', name))).equals(await readFile(join(dir, 'two', name))), name);
    }
    assert.equal(await readFile(join(dir, 'one', 'manifest.json'), 'utf8'), await readFile(join(dir, 'two', 'manifest.json'), 'utf8'));
  });
});

test('gzip and zlib shards, PNG at another size and fit: the checker verifies them', async () => {
  await withTempDir(async (dir) => {
    for (const compression of ['gzip', 'zlib'] as const) {
      const out = join(dir, compression);
      await convert({ input: PHOTOS, out, partitions: 2, workers: 2, compression, format: 'png', size: '64x48', fit: 'contain' });
      const shards = (await readdir(out)).filter((n) => n.includes('.tfrecord')).map((n) => join(out, n));
      assert.ok(shards.every((s) => s.endsWith(compression === 'gzip' ? '.tfrecord.gz' : '.tfrecord.zlib')));
      const checker = await runChecker(['check', `--${compression}`, ...shards]);
      assert.equal(checker.code, 0);
      const [first] = await collect(readRecordsFromFiles(shards));
      const e = decodeExample(first.data);
      const meta = await sharp(Buffer.from((e.image as { bytes: Uint8Array[] }).bytes[0])).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 48]);
    }
  });
});
