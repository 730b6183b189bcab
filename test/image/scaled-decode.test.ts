import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { dctReduction } from '../../src/image/dct-scale.js';
import { decodePlainInto, fitDecoded } from '../../src/image/fast-jpeg.js';
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

test('a small JPEG libjpeg could shrink is decoded scaled by the addon (as OpenCV does) and fits like sharp; so is a large one', async () => {
  const target = { width: 32, height: 32, fit: 'cover' as const };
  const small = await photo(96, 72);
  const decoded = decodePlainInto(small, target);
  // 96x72 to 32: decoded at 1/2 (48x36, both sides still at least 32) by our addon.
  // Columns 0-44 only: the cover fit reads no further (libjpeg's crop, test/image/scaled-jpeg.test.ts).
  assert.deepEqual(decoded, { width: 48, height: 36, reduction: 2, sourceWidth: 96, sourceHeight: 72, left: 0, rowWidth: 45 });
  const ours = Buffer.from(fitDecoded(decoded!, target));
  const full = await sharp(small).resize(32, 32, { fit: 'cover', kernel: 'lanczos3' }).raw().toBuffer();
  assert.ok(psnr(ours, full) > 30, `PSNR against sharp's fit: ${psnr(ours, full).toFixed(2)} dB`);
  // 2000x1500 to 192: decoded at 1/4 by our addon (test/image/scaled-jpeg.test.ts).
  assert.equal(decodePlainInto(await photo(2000, 1500), { width: 192, height: 192, fit: 'cover' })?.reduction, 4);
});

test('a cut or corrupt JPEG is refused by this path (sharp judges it), and the next one decodes', async () => {
  const good = await photo(800, 600);
  const target = { width: 400, height: 300, fit: 'fill' as const };
  assert.equal(decodePlainInto(good.subarray(0, 100), target), undefined);
  assert.ok(decodePlainInto(good, target), 'a good file after a cut one');
});
