import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { convertImageSync } from '../../src/convert/image.js';
import { decodeOtherInto } from '../../src/image/other-formats.js';
import { inputPixels } from '../../src/image/resample.js';

const options = { width: 16, height: 16, fit: 'cover' as const, format: 'jpeg' as const, quality: 95, maxPixels: 1e9 };

test('PNG and WebP (RGBA, grey, grey + alpha) are decoded on the calling thread, alpha flattened on white', async () => {
  const rgba = { create: { width: 40, height: 30, channels: 4 as const, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } };
  const cases: [string, Buffer, number[]][] = [
    ['PNG RGBA', await sharp(rgba).png().toBuffer(), [255, 127, 127]],
    ['WebP RGBA (lossless)', await sharp(rgba).webp({ lossless: true }).toBuffer(), [255, 127, 127]],
    ['PNG grey', await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').png().toBuffer(), [90, 90, 90]],
    ['PNG grey + alpha', await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.25 } } }).toColourspace('b-w').png().toBuffer(), [191, 191, 191]],
  ];
  for (const [name, file, rgb] of cases) {
    const decoded = decodeOtherInto(file);
    assert.deepEqual(decoded, { width: 40, height: 30 }, name);
    const pixel = [...inputPixels(40, 30).subarray(0, 3)];
    pixel.forEach((v, i) => assert.ok(Math.abs(v - rgb[i]) <= 1, `${name}: ${pixel} vs ${rgb}`));
    const stored = convertImageSync(file, options);
    assert.ok(stored, name);
    const { data } = await sharp(stored.data).raw().toBuffer({ resolveWithObject: true });
    [...data.subarray(0, 3)].forEach((v, i) => assert.ok(Math.abs(v - rgb[i]) <= 3, `${name} stored: ${[...data.subarray(0, 3)]} vs ${rgb}`));
  }
});

test('PNGs with a colour profile, 16-bit samples or cut short are left to sharp', async () => {
  const base = sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 10, g: 200, b: 30 } } });
  const withProfile = await base.clone().withIccProfile('p3').png().toBuffer();
  const sixteen = await base.clone().png().toColourspace('rgb16').toBuffer();
  const plainPng = await base.clone().png().toBuffer();
  assert.ok(decodeOtherInto(plainPng));
  assert.equal(decodeOtherInto(withProfile), undefined, 'iCCP');
  assert.equal(decodeOtherInto(sixteen), undefined, '16-bit');
  assert.equal(decodeOtherInto(plainPng.subarray(0, plainPng.length - 20)), undefined, 'no IEND');
});
