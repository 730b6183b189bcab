/** Any pixel format a foreign dataset stores decodes to its own channels, or to the channels asked for. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { convertChannels, decodeStored } from '../../src/speedtest/decode.js';
import { readImageHeader } from '../../src/image/header.js';
import { ROOT } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'water', 'water-003.jpg');
const W = 40;
const H = 30;

async function reference(): Promise<Buffer> {
  return sharp(await readFile(PHOTO)).resize(W, H).raw().toBuffer();
}

test('greyscale JPEG: 1 channel as stored, repeated to RGB on request', async () => {
  const jpeg = await sharp(await readFile(PHOTO)).resize(W, H).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
  assert.deepEqual(readImageHeader(jpeg), { format: 'jpeg', width: W, height: H, channels: 1, bitsPerSample: 8 });
  const grey = decodeStored(jpeg);
  assert.deepEqual([grey.width, grey.height, grey.channels, grey.pixels.length], [W, H, 1, W * H]);
  const rgb = decodeStored(jpeg, W, H, 3);
  assert.equal(rgb.pixels.length, W * H * 3);
  for (let i = 0; i < W * H; i++) assert.ok(rgb.pixels[3 * i] === grey.pixels[i] && rgb.pixels[3 * i + 2] === grey.pixels[i]);
});

test('RGBA PNG: 4 channels with the alpha kept; alpha dropped for 3', async () => {
  const rgb = await reference();
  const alpha = Buffer.from(Array.from({ length: W * H }, (_, i) => i % 256));
  const rgba = Buffer.alloc(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    rgb.copy(rgba, 4 * i, 3 * i, 3 * i + 3);
    rgba[4 * i + 3] = alpha[i];
  }
  const png = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
  assert.equal(readImageHeader(png)?.channels, 4);
  const four = decodeStored(png);
  assert.equal(four.channels, 4);
  assert.deepEqual(four.pixels, rgba, 'PNG is lossless: exactly the pixels written');
  assert.deepEqual(decodeStored(png, W, H, 3).pixels, rgb);
});

test('palette PNG expands to RGB; 16-bit PNG to its high 8 bits', async () => {
  const palette = await sharp(await reference(), { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, colours: 16 }).toBuffer();
  const p = decodeStored(palette);
  assert.deepEqual([p.channels, p.pixels.length], [3, W * H * 3]);

  const grey = await sharp(await readFile(PHOTO)).resize(W, H).greyscale().raw().toBuffer();
  const png16 = await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toBuffer();
  assert.deepEqual(readImageHeader(png16), { format: 'png', width: W, height: H, channels: 1, bitsPerSample: 16 });
  const g = decodeStored(png16);
  assert.deepEqual([g.channels, g.pixels.length], [1, W * H]);
  let diff = 0;
  for (let i = 0; i < W * H; i++) diff = Math.max(diff, Math.abs(g.pixels[i] - grey[i]));
  assert.ok(diff <= 1, `16-bit to 8-bit off by ${diff}`);
});

test('WebP (lossy and lossless) decodes with its header size', async () => {
  for (const lossless of [false, true]) {
    const webp = await sharp(await reference(), { raw: { width: W, height: H, channels: 3 } }).webp({ lossless }).toBuffer();
    assert.deepEqual(readImageHeader(webp), { format: 'webp', width: W, height: H, channels: 3, bitsPerSample: 8 });
    const d = decodeStored(webp);
    assert.deepEqual([d.width, d.height, d.pixels.length], [W, H, W * H * 3]);
  }
});

test('a cut JPEG is a problem, not a grey picture; features that disagree with the pixels too', async () => {
  const jpeg = await sharp(await reference(), { raw: { width: W, height: H, channels: 3 } }).jpeg().toBuffer();
  assert.throws(() => decodeStored(jpeg.subarray(0, jpeg.length - 100)), /truncated JPEG/);
  assert.throws(() => decodeStored(jpeg, W, W), /expected 40x40x3/);
});

test('convertChannels: RGB to grey by luma, grey + alpha to RGBA', () => {
  assert.deepEqual([...convertChannels(Buffer.from([255, 0, 0, 0, 0, 255]), 3, 1)], [76, 29]);
  assert.deepEqual([...convertChannels(Buffer.from([10, 200]), 2, 4)], [10, 10, 10, 200]);
  assert.deepEqual([...convertChannels(Buffer.from([1, 2, 3]), 3, 4)], [1, 2, 3, 255]);
});
