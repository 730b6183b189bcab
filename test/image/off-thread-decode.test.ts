/**
 * Big JPEGs' scaled decode on libuv's pool (native/scaled-jpeg.c's decodeAsync, src/image/fast-jpeg.ts'
 * planOffThread / decodeOffThread / fitOffThread): it runs while the JavaScript thread is busy,
 * gives the bytes of the decode on this thread, into a buffer of its own (the resampler's memory
 * may grow meanwhile), refuses corrupt files as the synchronous decode does, and is only planned for
 * sources of at least ASYNC_DECODE_MIN_PIXELS.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { convertBigImage, convertImageSync, ImageSkip, planBigImage } from '../../src/convert/image.js';
import { decodeOffThread, decodePlainInto, fitDecoded, fitOffThread, planOffThread } from '../../src/image/fast-jpeg.js';
import { inputPixels } from '../../src/image/resample.js';
import { decodeScaledInto, scaledJpegAsync } from '../../src/image/scaled-jpeg.js';
import { ASYNC_DECODE_MIN_PIXELS } from '../../src/options/image-decode.js';
import { ROOT } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'landscapes', 'landscapes-000.jpg');
const TARGET = { width: 192, height: 192, fit: 'cover' as const };
const OPTIONS = { width: 192, height: 192, fit: 'cover' as const, format: 'jpeg' as const, quality: 90, maxPixels: 100_000_000 };

const bigJpeg = (width: number, height: number, jpeg: Parameters<ReturnType<typeof sharp>['jpeg']>[0] = { quality: 90 }, photo = PHOTO) =>
  sharp(photo).resize(width, height, { fit: 'fill' }).jpeg(jpeg).toBuffer();

/** The first Huffman table's code counts destroyed: an error to libjpeg. */
function corruptTables(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const dht = jpeg.indexOf(Buffer.from([0xff, 0xc4]));
  out.fill(0xff, dht + 5, dht + 21);
  return out;
}

/** Cut in the middle of its scan, the end-of-image marker put back: only libjpeg sees the damage. */
const cutWithEoi = (jpeg: Buffer) => Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length / 2)), Buffer.from([0xff, 0xd9])]);

/** The addon itself, as the built tree holds it (beside dist/src/image/scaled-jpeg.js). */
interface Addon {
  decode(file: Uint8Array, out: Uint8Array, reduction: number, width: number, height: number, fast: boolean): number;
  decodeAsync(file: Uint8Array, out: Uint8Array, reduction: number, width: number, height: number, fast: boolean): Promise<number>;
}
const addon = createRequire(import.meta.url)(join(ROOT, 'dist', 'src', 'image', 'scaled_jpeg.node')) as Addon;

test('the addon has decodeAsync, and it is in use (PIPELINE_SYNC_JPEG unset)', () => {
  assert.equal(typeof addon.decodeAsync, 'function');
  assert.equal(scaledJpegAsync, true);
});

test('decodeAsync runs on another thread: it completes while this thread never yields', async () => {
  const file = await bigJpeg(4000, 3000);
  const expected = Buffer.alloc(500 * 375 * 3);
  addon.decode(file, expected, 8, 500, 375, false);
  const out = Buffer.alloc(expected.length);
  const lastRow = expected.subarray(expected.length - 500 * 3);
  const decoding = addon.decodeAsync(file, out, 8, 500, 375, false);
  // Busy on this thread until the pool thread has written the last row (an event, not a delay): a
  // decode that needs this thread's event loop (a callback, a promise job) would never get there.
  const deadline = Date.now() + 60_000;
  while (!out.subarray(out.length - 500 * 3).equals(lastRow)) assert.ok(Date.now() < deadline, 'the decode did not finish while this thread was busy');
  assert.equal(await decoding, 500);
  assert.ok(out.equals(expected), 'the bytes of the synchronous decode');
});

test('decodeAsync rejects a cut or corrupt file with JPEG_DECODE (as decode throws), and the next file decodes', async () => {
  const good = await bigJpeg(2000, 1500);
  const out = Buffer.alloc(500 * 375 * 3);
  for (const bad of [cutWithEoi(good), corruptTables(good), good.subarray(0, 600)]) {
    await assert.rejects(addon.decodeAsync(bad, out, 4, 500, 375, false), (error: NodeJS.ErrnoException) => error.code === 'JPEG_DECODE' && error.message.length > 0);
    assert.equal(await addon.decodeAsync(good, out, 4, 500, 375, false), 500);
  }
  // Wrong arguments are thrown at once, before any work is queued.
  assert.throws(() => addon.decodeAsync(good, Buffer.alloc(10), 4, 500, 375, false), /smaller than/);
  await assert.rejects(addon.decodeAsync(good, out, 4, 400, 375, false), /scaled size is 500x375/);
});

test('only sources of at least ASYNC_DECODE_MIN_PIXELS leave the thread; the rest stay synchronous', async () => {
  assert.equal(ASYNC_DECODE_MIN_PIXELS, 1_500_000);
  for (const [width, height, off] of [[2000, 1500, true], [1500, 1000, true], [1400, 1000, false], [1000, 750, false], [96, 72, false]] as const) {
    const file = await bigJpeg(width, height);
    assert.equal(planOffThread(file, TARGET) !== undefined, off, `${width}x${height}`);
    assert.equal(planBigImage(file, OPTIONS) !== undefined, off, `${width}x${height} (convert)`);
  }
  const big = await bigJpeg(2000, 1500);
  // Contain and PNG output are sharp's; a file over --max-pixels too.
  assert.equal(planBigImage(big, { ...OPTIONS, fit: 'contain' }), undefined);
  assert.equal(planBigImage(big, { ...OPTIONS, format: 'png' }), undefined);
  assert.equal(planBigImage(big, { ...OPTIONS, maxPixels: 2_000_000 }), undefined);
  // Nor a file cut before its end marker (sharp judges those).
  assert.equal(planBigImage(big.subarray(0, big.length - 100), OPTIONS), undefined);
  // PNGs: the same threshold; interlaced ones stay on this thread (our decoder refuses them).
  const png = (width: number, height: number, interlaced = false) => sharp(PHOTO).resize(width, height, { fit: 'fill' }).png({ progressive: interlaced }).toBuffer();
  assert.deepEqual(planBigImage(await png(2000, 1500), OPTIONS), { format: 'png', width: 2000, height: 1500 });
  assert.equal(planBigImage(await png(1000, 750), OPTIONS), undefined);
  assert.equal(planBigImage(await png(2000, 1500, true), OPTIONS), undefined);
});

test('off the thread: the same fitted bytes as the decode on it, with the resampler busy (and its memory grown) meanwhile', async () => {
  const cases = [
    ['3:2 at 1/8, 4:2:0, cropped', 3000, 2000, { quality: 90 }],
    ['4:3 at 1/4', 2000, 1500, { quality: 90 }],
    ['3:2 at 1/2, 4:4:4', 1500, 1000, { quality: 90, chromaSubsampling: '4:4:4' }],
    ['a portrait: whole rows', 1200, 1800, { quality: 90 }],
    ['progressive', 2592, 1944, { quality: 90, progressive: true }],
    ['fill', 4032, 3024, { quality: 95 }],
  ] as const;
  const files = await Promise.all(cases.map(([, w, h, jpeg], i) => bigJpeg(w, h, jpeg, join(ROOT, 'fixtures', 'photos', 'flowers', `flowers-00${i}.jpg`))));
  const targets = cases.map(([name]) => (name === 'fill' ? { width: 160, height: 96, fit: 'fill' as const } : TARGET));
  const expected = files.map((file, i) => Buffer.from(fitDecoded(decodePlainInto(file, targets[i])!, targets[i])));
  // All in flight at once; meanwhile this thread decodes and fits a far bigger image synchronously,
  // which grows the WebAssembly memory (detaching its old buffer) while the pool threads write.
  const pending = files.map((file, i) => decodeOffThread(file, planOffThread(file, targets[i])!));
  const huge = await bigJpeg(6000, 4000);
  const hugeTarget = { width: 2000, height: 1500, fit: 'cover' as const }; // decoded at 1/2: 3000x2000, 18 MB
  assert.ok(fitDecoded(decodePlainInto(huge, hugeTarget)!, hugeTarget).length > 0);
  const results = await Promise.all(pending);
  for (const [i, [name]] of cases.entries()) {
    assert.ok(results[i], name);
    assert.ok(Buffer.from(fitOffThread(results[i]!, targets[i])).equals(expected[i]), `${name}: the bytes of the decode on this thread`);
  }
  // And the whole conversion: the bytes of convertImageSync.
  for (const file of files.slice(0, 3)) {
    const plan = planBigImage(file, OPTIONS)!;
    assert.deepEqual((await convertBigImage(Buffer.from(file), plan, OPTIONS)).data, convertImageSync(file, OPTIONS)!.data);
  }
});

test('a cut or corrupt big JPEG off the thread: decodeOffThread says undefined, convertBigImage a skip reason from sharp', async () => {
  const good = await bigJpeg(2000, 1500);
  for (const bad of [cutWithEoi(good), corruptTables(good)]) {
    const plan = planOffThread(bad, TARGET);
    assert.ok(plan, 'planned: only libjpeg sees the damage');
    assert.equal(await decodeOffThread(bad, plan), undefined);
    await assert.rejects(convertBigImage(bad, planBigImage(bad, OPTIONS)!, OPTIONS), (error: Error) => error instanceof ImageSkip && /^(corrupt|truncated) image: /.test(error.message));
  }
  // The resampler's memory is still good for the next one.
  const decoded = decodeScaledInto(good, inputPixels(500, 375), 4, 500, 375, false);
  assert.deepEqual(decoded, { left: 0, rowWidth: 500 });
});

test('big PNGs off the thread: the bytes of the decode on it (RGB, RGBA, grey, palette), a corrupt one still judged', async () => {
  const make = [
    ['RGB', sharp(PHOTO).resize(2000, 1500, { fit: 'fill' }).png()],
    ['RGBA', sharp(PHOTO).resize(1600, 1200, { fit: 'fill' }).ensureAlpha(0.5).png()],
    ['grey', sharp(PHOTO).resize(1500, 1000, { fit: 'fill' }).greyscale().png()],
    ['palette', sharp(PHOTO).resize(1800, 1200, { fit: 'fill' }).png({ palette: true })],
  ] as const;
  const files = await Promise.all(make.map(([, s]) => s.toBuffer()));
  const expected = files.map((file) => convertImageSync(file, OPTIONS)!.data);
  const converted = await Promise.all(files.map((file) => convertBigImage(Buffer.from(file), planBigImage(file, OPTIONS)!, OPTIONS)));
  for (const [i, [name]] of make.entries()) {
    assert.equal(planBigImage(files[i], OPTIONS)?.format, 'png', name);
    assert.ok(converted[i].data.equals(expected[i]), `${name}: the bytes of the decode on this thread`);
  }
  // A damaged IDAT (its CRC no longer matches): our decoder refuses it off the thread, the
  // thread's other decoders and sharp then judge it, as on the thread.
  const bad = Buffer.from(files[0]);
  bad.fill(0, Math.floor(bad.length / 2), Math.floor(bad.length / 2) + 64);
  const plan = planBigImage(bad, OPTIONS);
  assert.equal(plan?.format, 'png');
  await assert.rejects(convertBigImage(bad, plan!, OPTIONS), (error: Error) => error instanceof ImageSkip && /^(corrupt|truncated) image: /.test(error.message));
});
