import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { measureQuality } from '../../bench/quality.js';
import { convert } from '../../src/convert/convert.js';
import { ROOT, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/**
 * Photos whose centred crop falls on half a pixel (odd margins, as most photo sizes have): a cover
 * fit rounded to whole pixels loses about 1.7 dB against the exact one here.
 */
async function oddPhotos(dir: string): Promise<string> {
  const classes = (await readdir(PHOTOS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const [c, name] of classes.entries()) {
    await mkdir(join(dir, name), { recursive: true });
    const files = (await readdir(join(PHOTOS, name))).sort().slice(0, 4);
    for (const [i, file] of files.entries()) {
      const [width, height] = (c + i) % 2 === 0 ? [333, 250] : [251, 347];
      await sharp(join(PHOTOS, name, file)).resize(width, height, { fit: 'fill' }).jpeg({ quality: 95 }).toFile(join(dir, name, file));
    }
  }
  return dir;
}

test('convert output is within 0.3 dB PSNR of Pillow\'s, both against Pillow\'s uncompressed LANCZOS fit', async () => {
  await withTempDir(async (tmp) => {
    const input = await oddPhotos(join(tmp, 'in'));
    const out = join(tmp, 'out');
    await convert({ input, out, partitions: 2, workers: 2 });
    const quality = await measureQuality(input, out, 192, 90);
    assert.equal(quality.images, 20);
    assert.ok(quality.differenceDb > -0.3, `ours ${quality.oursPsnrDb} dB, Pillow ${quality.pillowPsnrDb} dB`);
  });
});
