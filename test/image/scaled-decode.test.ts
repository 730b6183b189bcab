import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { dctReduction } from '../../src/image/dct-scale.js';
import { decodePlainInto, fitDecoded } from '../../src/image/fast-jpeg.js';
import { decodeJpegScaled } from '../../src/image/jpeg-wasm.js';
import { coverBox } from '../../src/image/resample.js';
import { ROOT } from '../helpers.js';

const PHOTO = join(ROOT, 'fixtures', 'photos', 'landscapes');

test('DCT reduction: the largest of 1/2, 1/4, 1/8 that keeps the fitted box at least the target', () => {
  const cover = (w: number, h: number, tw: number, th: number) => dctReduction(w, h, coverBox(w, h, tw, th), tw, th);
  assert.equal(cover(5400, 3600, 192, 192), 8); // 675x450
  assert.equal(cover(2000, 1500, 192, 192), 4); // 500x375; 1/8 would be 187 high
  assert.equal(cover(1000, 750, 192, 192), 2);
  assert.equal(cover(500, 375, 192, 192), 1);
  assert.equal(cover(96, 72, 32, 32), 2); // 48x36
  assert.equal(cover(96, 72, 64, 64), 1);
  assert.equal(cover(4000, 1000, 192, 192), 4); // the box is 1000 wide: 250 at 1/4
  assert.equal(dctReduction(1000, 750, [0, 0, 1000, 750], 300, 100), 2); // fill: 500x375
});

async function photo(width: number, height: number): Promise<Buffer> {
  const { readdir } = await import('node:fs/promises');
  const file = (await readdir(PHOTO)).filter((n) => n.endsWith('.jpg')).sort()[0];
  return sharp(join(PHOTO, file)).resize(width, height, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
}

const psnr = (a: Buffer, b: Buffer) => {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
};

test('a large JPEG is decoded at 1/4 or 1/8 scale on this thread and fits like a full-size resize', async () => {
  for (const [width, height, reduction] of [[2000, 1500, 4], [3200, 2400, 8]] as const) {
    const file = await photo(width, height);
    const target = { width: 192, height: 192, fit: 'cover' as const };
    const decoded = decodePlainInto(file, target);
    assert.deepEqual(decoded, { width: Math.ceil(width / reduction), height: Math.ceil(height / reduction), reduction });
    const ours = Buffer.from(fitDecoded(decoded!, target));
    const full = await sharp(file).resize(192, 192, { fit: 'cover', kernel: 'lanczos3' }).raw().toBuffer();
    assert.ok(psnr(ours, full) > 33, `PSNR against sharp's full-size fit: ${psnr(ours, full).toFixed(2)} dB`);
  }
});

test('a JPEG libjpeg fails on mid-decode is refused, and the next one decodes (the instance is made anew)', async () => {
  const good = await photo(800, 600);
  const bad = Buffer.from(good);
  // Garbage over the entropy-coded data after the headers: a fatal error or warnings, never pixels.
  for (let i = Math.floor(bad.length / 3); i < bad.length - 2; i++) bad[i] = (i * 37) & 0xff;
  for (let i = 0; i < 3; i++) {
    assert.equal(decodeJpegScaled(bad, 2, 400, 300), undefined);
    assert.ok(decodeJpegScaled(good, 2, 400, 300), 'a good file after a bad one');
  }
  assert.equal(decodeJpegScaled(good.subarray(0, 100), 1, 800, 600), undefined);
  assert.equal(decodeJpegScaled(good, 2, 401, 300), undefined, 'a size other than libjpeg\'s is refused');
});
