import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { convert } from '../../src/convert/convert.js';
import { crc32 } from '@node-rs/crc32';
import { convertPartition } from '../../src/convert/partition-task.js';
import { newProgressBuffer } from '../../src/pool/protocol.js';
import { decodeExample, type Features } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { collect, ROOT, withTempDir } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'flowers', 'flowers-000.jpg');

/** A PNG header declaring width x height, with a tiny (incomplete) IDAT: a decompression bomb's shape. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

const text = (f: Features, k: string) => Buffer.from((f[k] as { bytes: Uint8Array[] }).bytes[0]).toString();

test('bad inputs are skipped with a clear reason; every good image is kept', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'good'), { recursive: true });
    await mkdir(join(input, 'bad'), { recursive: true });
    const jpeg = await readFile(PHOTO);
    await copyFile(PHOTO, join(input, 'good', 'a.jpg'));
    await writeFile(join(input, 'good', 'b.jpg'), jpeg);
    await writeFile(join(input, 'bad', 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x00, 2, 200); // the JPEG's tables and frame header destroyed
    await writeFile(join(input, 'bad', 'corrupt.jpg'), corrupt);
    await writeFile(join(input, 'bad', 'empty.jpg'), Buffer.alloc(0));
    await writeFile(join(input, 'bad', 'text.jpg'), 'this is a text file named like a JPEG\n');
    await writeFile(join(input, 'bad', 'bomb.png'), pngHeader(30000, 30000));
    await symlink(join(input, 'missing.jpg'), join(input, 'bad', 'dangling.jpg'));
    await symlink(join(input, 'good', 'a.jpg'), join(input, 'good', 'c-link.jpg'));

    const result = await convert({ input, out: join(dir, 'out'), workers: 2, partitions: 2, maxPixels: 100_000_000 });
    const skipped = parse(await readFile(join(dir, 'out', 'skipped.csv')), { columns: true }) as { path: string; reason: string }[];
    const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    assert.match(reasons['bad/truncated.jpg'], /^truncated image/);
    assert.match(reasons['bad/corrupt.jpg'], /corrupt|not an image/);
    assert.equal(reasons['bad/empty.jpg'], 'empty file');
    assert.match(reasons['bad/text.jpg'], /^not an image/);
    assert.match(reasons['bad/bomb.png'], /^over --max-pixels/);
    assert.equal(reasons['bad/dangling.jpg'], 'dangling symbolic link');
    assert.equal(skipped.length, 6);
    assert.equal(result.skipped, 6);
    assert.equal(result.records, 3, 'two good images and one followed symbolic link');

    const shards = result.shards;
    assert.equal(shards, 2);
    const records = await collect(readRecordsFromFiles([join(dir, 'out', 'part-00000-of-00002.tfrecord'), join(dir, 'out', 'part-00001-of-00002.tfrecord')]));
    assert.deepEqual(records.map((r) => text(decodeExample(r.data), 'filename')), ['good/a.jpg', 'good/b.jpg', 'good/c-link.jpg']);
  });
});

test('--strict: any skip is exit 3 (STRICT) after skipped.csv is written', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'x'), { recursive: true });
    await copyFile(PHOTO, join(input, 'x', 'a.jpg'));
    await writeFile(join(input, 'x', 'empty.jpg'), '');
    await assert.rejects(convert({ input, out: join(dir, 'out'), strict: true }), (e: { code: string }) => e.code === 'STRICT');
    assert.match(await readFile(join(dir, 'out', 'skipped.csv'), 'utf8'), /x\/empty\.jpg,empty file/);
  });
});

test('a file that vanished or cannot be read when its task runs is skipped, not a crash', async () => {
  await withTempDir(async (dir) => {
    await mkdir(join(dir, 'a-folder.jpg'));
    const result = await convertPartition({
      partition: 0,
      files: [
        { path: join(dir, 'gone.jpg'), rel: 'x/gone.jpg', label: 0, className: 'x' },
        { path: join(dir, 'a-folder.jpg'), rel: 'x/a-folder.jpg', label: 0, className: 'x' },
        { path: PHOTO, rel: 'x/ok.jpg', label: 0, className: 'x' },
      ],
      shardPath: join(dir, 'part.tfrecord'),
      indexPath: join(dir, 'part.idx'),
      fingerprint: 'f'.repeat(64),
      image: { width: 32, height: 32, fit: 'cover', format: 'jpeg', quality: 90, maxPixels: 1e8 },
      compression: 'none',
    }, newProgressBuffer());
    assert.equal(result.entry.records, 1);
    assert.deepEqual(result.entry.skipped, [
      { path: 'x/gone.jpg', reason: 'vanished during the run (ENOENT)' },
      { path: 'x/a-folder.jpg', reason: 'unreadable (EISDIR)' },
    ]);
  });
});

test('CMYK, 16-bit, greyscale, palette, alpha, EXIF-rotated, WebP, GIF, TIFF and AVIF images convert to 3-channel sRGB; non-ASCII names kept', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    const cls = join(input, 'ñandú');
    await mkdir(cls, { recursive: true });
    const photo = sharp(PHOTO);
    await photo.clone().toColourspace('cmyk').jpeg().toFile(join(cls, 'cmyk.jpg'));
    await photo.clone().toColourspace('rgb16').png().toFile(join(cls, 'sixteen.png'));
    await photo.clone().greyscale().png().toFile(join(cls, 'grey.png'));
    await photo.clone().png({ palette: true, colours: 16 }).toFile(join(cls, 'palette.png'));
    await photo.clone().webp().toFile(join(cls, 'été.webp'));
    // Recognised by content, not by name: a GIF, a TIFF and an AVIF, the last without an extension.
    await photo.clone().gif().toFile(join(cls, 'anim.gif'));
    await photo.clone().tiff().toFile(join(cls, 'scan.tif'));
    await photo.clone().avif({ quality: 50, effort: 0 }).toFile(join(cls, 'photo-avif'));
    // Fully transparent red: flattened on white, it must come out white.
    await sharp({ create: { width: 50, height: 40, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } }).png().toFile(join(cls, 'alpha.png'));
    // Left half red, right half blue, stored with EXIF orientation 6 (display rotated 90 degrees clockwise):
    // upright, red is on top and blue at the bottom.
    const halves = await sharp({ create: { width: 200, height: 100, channels: 3, background: 'red' } })
      .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: 'blue' } }, left: 100, top: 0 }])
      .png().toBuffer();
    await sharp(halves).jpeg().withMetadata({ orientation: 6 }).toFile(join(cls, 'rotated.jpg'));

    const out = join(dir, 'out');
    const result = await convert({ input, out, size: '60x60', fit: 'fill', format: 'png' });
    assert.equal(result.skipped, 0);
    assert.equal(result.records, 10);
    const records = await collect(readRecordsFromFiles([join(out, 'part-00000-of-00001.tfrecord')]));
    const byName = new Map(records.map((r) => { const f = decodeExample(r.data); return [text(f, 'filename'), f]; }));
    assert.ok(byName.has('ñandú/été.webp'));
    assert.equal(text(byName.get('ñandú/cmyk.jpg')!, 'label'), 'ñandú');
    for (const [name, f] of byName) {
      const { data, info } = await sharp(Buffer.from((f.image as { bytes: Uint8Array[] }).bytes[0])).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height, info.channels], [60, 60, 3], name);
      if (name.endsWith('alpha.png')) assert.ok(data.every((v) => v > 250), 'alpha flattened on white');
      if (name.endsWith('rotated.jpg')) {
        const at = (x: number, y: number) => [...data.subarray((y * 60 + x) * 3, (y * 60 + x) * 3 + 3)];
        const [r1, , b1] = at(30, 5);
        const [r2, , b2] = at(30, 55);
        assert.ok(r1 > 200 && b1 < 60, `top is red: ${at(30, 5)}`);
        assert.ok(b2 > 200 && r2 < 60, `bottom is blue: ${at(30, 55)}`);
      }
    }
  });
});
