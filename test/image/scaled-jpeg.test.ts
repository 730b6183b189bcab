/**
 * Big JPEGs through our scaled-decode addon (native/scaled-jpeg.c): loaded in the built tree,
 * decoded at 1/2-1/8 on the calling thread, corrupt and cut files refused without a crash (and the
 * next file still decodes), progressive and CMYK files still handled, the same bytes on 1 and 2
 * workers, and without the addon one line on stderr and sharp's path.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { convert } from '../../src/convert/convert.js';
import { convertImage } from '../../src/convert/image.js';
import { decodePlainInto, encodeJpeg, fitDecoded } from '../../src/image/fast-jpeg.js';
import { inputPixels } from '../../src/image/resample.js';
import { decodeScaledInto, scaledJpegStatus } from '../../src/image/scaled-jpeg.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { collect, ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'landscapes', 'landscapes-000.jpg');
const TARGET = { width: 192, height: 192, fit: 'cover' as const };

/** A fixture photo enlarged to `width` x `height` (a big JPEG, over the addon's 1.5 MP threshold). */
const bigJpeg = (width: number, height: number, jpeg: Parameters<ReturnType<typeof sharp>['jpeg']>[0] = { quality: 90 }, photo = PHOTO) =>
  sharp(photo).resize(width, height, { fit: 'fill' }).jpeg(jpeg).toBuffer();

/** The resampler's input memory for a decoded image's whole size. */
const inputPixelsOf = (decoded: { width: number; height: number }) => inputPixels(decoded.width, decoded.height);

const psnr = (a: Buffer, b: Buffer) => {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
};

/** sharp's own cover fit of `file` to 192x192, RGB: the reference the fits are compared with. */
const sharpFit = (file: Buffer) => sharp(file).resize(192, 192, { fit: 'cover', kernel: 'lanczos3' }).removeAlpha().toColourspace('srgb').raw().toBuffer();

/** The entropy-coded data's start: after the SOS segment. */
function scanStart(jpeg: Buffer): number {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  return sos + 2 + jpeg.readUInt16BE(sos + 2);
}

/** Cut in the middle of its scan, the end-of-image marker put back: only libjpeg sees the damage. */
const cutWithEoi = (jpeg: Buffer) => Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length / 2)), Buffer.from([0xff, 0xd9])]);

/**
 * Scan data overwritten in the middle (0xff00 is a stuffed 0xff byte): a warning to libjpeg, which
 * the addon refuses; sharp's shrink-on-load, which then judges the file, passes it, as before.
 */
function corruptScan(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const at = scanStart(jpeg) + Math.floor((jpeg.length - scanStart(jpeg)) / 3);
  for (let i = 0; i < 400; i += 2) out.writeUInt16BE(0xff00, at + i);
  return out;
}

test('the addon is built and loads in the built tree (npm run build builds it)', () => {
  assert.deepEqual(scaledJpegStatus, { loaded: true, libjpeg: scaledJpegStatus.loaded ? scaledJpegStatus.libjpeg : '' });
  assert.match(scaledJpegStatus.loaded ? scaledJpegStatus.libjpeg : '', /^libjpeg-turbo \d/);
});

test('a 3 MP JPEG is decoded at 1/4 on this thread and fits like sharp', async () => {
  const file = await bigJpeg(2000, 1500);
  const decoded = decodePlainInto(file, TARGET);
  // Columns [left, left + rowWidth): the ones the cover fit reads (crops: the next test).
  assert.deepEqual(decoded, { width: 500, height: 375, reduction: 4, sourceWidth: 2000, sourceHeight: 1500, left: 56, rowWidth: 386 });
  const ours = Buffer.from(fitDecoded(decoded!, TARGET));
  const reference = await sharpFit(file);
  assert.ok(psnr(ours, reference) > 33, `PSNR against sharp's fit: ${psnr(ours, reference).toFixed(2)} dB`);
  // A side that is not a multiple of 8: libjpeg's size rounds up, and the fit still matches.
  const odd = await bigJpeg(4001, 2999);
  const oddDecoded = decodePlainInto(odd, TARGET);
  const { left, rowWidth, ...oddSize } = oddDecoded!;
  assert.deepEqual(oddSize, { width: 501, height: 375, reduction: 8, sourceWidth: 4001, sourceHeight: 2999 });
  assert.ok(left! > 0 && left! + rowWidth! < 501, `cropped: ${left}, ${rowWidth}`);
  const oddFit = Buffer.from(fitDecoded(oddDecoded!, TARGET));
  assert.ok(psnr(oddFit, await sharpFit(odd)) > 33, `PSNR of the odd size: ${psnr(oddFit, await sharpFit(odd)).toFixed(2)} dB`);
});

/** The first Huffman table's code counts destroyed: an error to libjpeg (and to sharp). */
function corruptTables(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const dht = jpeg.indexOf(Buffer.from([0xff, 0xc4]));
  out.fill(0xff, dht + 5, dht + 21);
  return out;
}

test('a cover fit decodes only the columns it reads (libjpeg\'s crop), and gives the bytes of a whole decode', async () => {
  for (const [name, width, height, jpeg] of [
    ['3:2 at 1/8, 4:2:0', 3000, 2000, { quality: 90 }],
    ['4:3 at 1/4, 4:2:0', 1800, 1350, { quality: 90 }],
    ['3:2 at 1/2, 4:4:4', 900, 600, { quality: 90, chromaSubsampling: '4:4:4' }],
    ['a portrait: whole rows', 1200, 1800, { quality: 90 }],
  ] as const) {
    const file = await bigJpeg(width, height, jpeg);
    const decoded = decodePlainInto(file, TARGET);
    assert.ok(decoded && decoded.reduction > 1, name);
    const cropped = Buffer.from(fitDecoded(decoded, TARGET));
    if (width > height) assert.ok(decoded.left! > 0 && decoded.rowWidth! < decoded.width * 0.8, `${name}: cropped (${decoded.left}, ${decoded.rowWidth} of ${decoded.width})`);
    else assert.deepEqual([decoded.left, decoded.rowWidth], [0, decoded.width], name);
    // The same file decoded whole, then fitted.
    const into = Buffer.alloc(decoded.width * decoded.height * 3);
    decodeScaledInto(file, into, decoded.reduction, decoded.width, decoded.height, false);
    const whole = { ...decoded, left: 0, rowWidth: decoded.width };
    inputPixelsOf(whole).set(into);
    assert.ok(Buffer.from(fitDecoded(whole, TARGET)).equals(cropped), `${name}: the bytes of a whole decode`);
  }
});

test('a cut or corrupt big JPEG throws a JPEG_DECODE error in the addon, never a crash; the next file decodes', async () => {
  const good = await bigJpeg(2000, 1500);
  const out = Buffer.alloc(500 * 375 * 3);
  for (const bad of [cutWithEoi(good), corruptScan(good), corruptTables(good), good.subarray(0, 600)]) {
    assert.throws(() => decodeScaledInto(bad, out, 4, 500, 375, false), (error: NodeJS.ErrnoException) => error.code === 'JPEG_DECODE' && error.message.length > 0);
    assert.equal(decodePlainInto(bad, TARGET), undefined, 'refused: sharp judges it');
    assert.deepEqual(decodeScaledInto(good, out, 4, 500, 375, false), { left: 0, rowWidth: 500 }, 'a good file after a bad one');
  }
  // Sizes the caller did not make room for are refused before any pixel is written.
  assert.throws(() => decodeScaledInto(good, Buffer.alloc(10), 4, 500, 375, false), /smaller than/);
  assert.throws(() => decodeScaledInto(good, out, 4, 400, 375, false), /scaled size is 500x375/);
});

test('convert: cut and corrupt big JPEGs are counted in skipped.csv, progressive and CMYK ones converted, good ones kept', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    const good = await bigJpeg(2000, 1500);
    await writeFile(join(input, 'a', 'good.jpg'), good);
    await writeFile(join(input, 'a', 'cut.jpg'), cutWithEoi(good));
    await writeFile(join(input, 'a', 'corrupt.jpg'), corruptTables(good));
    const progressive = await bigJpeg(2000, 1500, { quality: 90, progressive: true });
    await writeFile(join(input, 'a', 'progressive.jpg'), progressive);
    const cmyk = await sharp(PHOTO).resize(2000, 1500, { fit: 'fill' }).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    await writeFile(join(input, 'a', 'cmyk.jpg'), cmyk);

    const result = await convert({ input, out: join(dir, 'out'), workers: 1, partitions: 1 });
    assert.equal(result.records, 3);
    const skipped = parse(await readFile(join(dir, 'out', 'skipped.csv')), { columns: true }) as { path: string; reason: string }[];
    assert.deepEqual(skipped.map((s) => s.path).sort(), ['a/corrupt.jpg', 'a/cut.jpg']);
    for (const s of skipped) assert.match(s.reason, /^(corrupt|truncated) image: /);

    const shards = (await readdir(join(dir, 'out'))).filter((n) => n.endsWith('.tfrecord')).map((n) => join(dir, 'out', n));
    const stored = new Map<string, Buffer>();
    for (const record of await collect(readRecordsFromFiles(shards))) {
      const example = decodeExample(record.data);
      const bytes = (name: string) => Buffer.from((example[name] as { bytes: Uint8Array[] }).bytes[0]);
      stored.set(bytes('filename').toString(), bytes('image'));
    }
    const options = { width: 192, height: 192, fit: 'cover' as const, format: 'jpeg' as const, quality: 90, maxPixels: 100_000_000 };
    for (const [name, source] of [['a/good.jpg', good], ['a/progressive.jpg', progressive], ['a/cmyk.jpg', cmyk]] as const) {
      const image = stored.get(name)!;
      const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height, info.channels], [192, 192, 3], name);
      const quality = psnr(data, await sharpFit(source));
      assert.ok(quality > 30, `${name}: PSNR against sharp's fit ${quality.toFixed(2)} dB`);
      assert.deepEqual(image, (await convertImage(source, options)).data, `${name}: the same bytes as this thread's path`);
    }
    // The good and progressive files took the addon's path: the bytes of a decode at 1/4 here.
    for (const source of [good, progressive]) assert.deepEqual(stored.get(source === good ? 'a/good.jpg' : 'a/progressive.jpg'), encodeJpeg(fitDecoded(decodePlainInto(source, TARGET)!, TARGET), 192, 192, 90));
  });
});

test('big JPEGs give the same shard bytes on 1 and 2 workers', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    const sizes = [[2000, 1500], [2592, 1944], [1800, 1200], [4032, 3024]];
    for (const [i, [w, h]] of sizes.entries()) {
      await mkdir(join(input, `c${i % 2}`), { recursive: true });
      await writeFile(join(input, `c${i % 2}`, `p${i}.jpg`), await bigJpeg(w, h, { quality: 90 }, join(ROOT, 'fixtures', 'photos', 'flowers', `flowers-00${i}.jpg`)));
    }
    const shardBytes = async (workers: number) => {
      const out = join(dir, `out-${workers}`);
      await convert({ input, out, workers, partitions: 2 });
      const names = (await readdir(out)).filter((n) => n.endsWith('.tfrecord')).sort();
      return Promise.all(names.map(async (n) => [n, await readFile(join(out, n))] as const));
    };
    const one = await shardBytes(1);
    assert.equal(one.length, 2);
    assert.deepEqual(await shardBytes(2), one);
  });
});

test('without the addon: one line on stderr says so, big JPEGs take sharp\'s path, exit 0', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    for (const i of [0, 1, 2]) await writeFile(join(input, 'a', `p${i}.jpg`), await bigJpeg(2000 + i * 8, 1500));
    const run = (env: NodeJS.ProcessEnv, out: string) => runCli(['convert', input, '--out', join(dir, out), '--workers', '2', '--partitions', '2'], { env });
    const without = await run({ PIPELINE_PORTABLE_JPEG: '1' }, 'without');
    assert.equal(without.code, 0, without.stderr);
    const notices = without.stderr.split('\n').filter((l) => /big JPEGs are decoded by sharp/.test(l));
    assert.deepEqual(notices, ['warning: big JPEGs are decoded by sharp (slower): PIPELINE_PORTABLE_JPEG=1']);
    const withAddon = await run({ PIPELINE_PORTABLE_JPEG: '' }, 'with');
    assert.equal(withAddon.code, 0, withAddon.stderr);
    assert.doesNotMatch(withAddon.stderr, /big JPEGs/);
    // The two paths write different bytes: each run's shards name the decoder in their fingerprint.
    const manifest = async (out: string) => JSON.parse(await readFile(join(dir, out, 'manifest.json'), 'utf8')) as { shards: { fingerprint: string }[] };
    assert.notEqual((await manifest('without')).shards[0].fingerprint, (await manifest('with')).shards[0].fingerprint);
  });
});
