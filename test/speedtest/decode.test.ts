import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeAndFit, decodeStored } from '../../src/speedtest/decode.js';
import { probeJpeg } from '../../src/image/jpeg-probe.js';
import { ROOT } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'water', 'water-003.jpg');

test('probeJpeg: size and components of a plain JPEG; EXIF rotation, ICC, CMYK and other formats are not plain', async () => {
  const plain = await readFile(PHOTO);
  assert.deepEqual(probeJpeg(plain), { width: 320, height: 240, components: 3, plain: true, quality: 80 });
  // The quality of the luminance table, which picks the decoder (src/image/fast-jpeg.ts).
  for (const quality of [20, 75, 90, 91, 97]) assert.equal(probeJpeg(await sharp(plain).jpeg({ quality }).toBuffer())?.quality, quality);
  const rotated = await sharp(plain).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  assert.equal(probeJpeg(rotated)?.plain, false);
  const withIcc = await sharp(plain).withIccProfile('srgb').jpeg().toBuffer();
  assert.equal(probeJpeg(withIcc)?.plain, false);
  const cmyk = await sharp(plain).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal(probeJpeg(cmyk)?.plain, false);
  const progressive = await sharp(plain).jpeg({ progressive: true }).toBuffer();
  assert.equal(probeJpeg(progressive)?.plain, true);
  assert.equal(probeJpeg(await sharp(plain).png().toBuffer()), undefined);
  assert.equal(probeJpeg(plain.subarray(0, 30)), undefined, 'cut before the frame header');
  assert.equal(probeJpeg(Buffer.alloc(0)), undefined);
});

test("the fast JPEG path and sharp's full path fit a photo to the same picture (within a few levels)", async () => {
  const plain = await readFile(PHOTO);
  const fast = await decodeAndFit(plain, 96, 96);
  // An ICC profile sends the same photo down sharp's own path.
  const full = await decodeAndFit(await sharp(plain).withIccProfile('srgb').jpeg({ quality: 100 }).toBuffer(), 96, 96);
  assert.deepEqual([fast.width, fast.height, fast.pixels.length], [96, 96, 96 * 96 * 3]);
  assert.deepEqual([full.width, full.height, full.pixels.length], [96, 96, 96 * 96 * 3]);
  let diff = 0;
  for (let i = 0; i < fast.pixels.length; i++) diff += Math.abs(fast.pixels[i] - full.pixels[i]);
  assert.ok(diff / fast.pixels.length < 6, `mean absolute difference ${diff / fast.pixels.length}`);
});

test("decodeStored checks the pixels against the record's own size", async () => {
  const jpeg = await sharp(await readFile(PHOTO)).resize(64, 48).jpeg().toBuffer();
  assert.equal(decodeStored(jpeg, 64, 48).pixels.length, 64 * 48 * 3);
  assert.throws(() => decodeStored(jpeg, 64, 64), /expected 64x64x3/);
});
