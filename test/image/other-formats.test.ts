import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Transformer } from '@napi-rs/image';
import sharp from 'sharp';
import { convertImage, convertImageSync, ImageSkip } from '../../src/convert/image.js';
import { decodeOtherInto } from '../../src/image/other-formats.js';
import { inputPixels } from '../../src/image/resample.js';
import { decodePngInto } from '../../src/image/scaled-jpeg.js';

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

/** PNG's CRC-32 of a chunk's type and data (Node 20 has no zlib.crc32). */
function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** The offset of the first chunk named `name`. */
function chunkAt(png: Buffer, name: string): number {
  for (let pos = 8; pos < png.length; pos += 12 + png.readUInt32BE(pos)) if (png.toString('latin1', pos + 4, pos + 8) === name) return pos;
  throw new Error(`no ${name}`);
}

/** @napi-rs/image's pixels flattened on white: what other-formats.ts made before the addon decoded PNGs. */
function napiReference(png: Buffer, width: number, height: number): Buffer {
  const pixels = new Transformer(png).rawPixelsSync();
  const channels = pixels.length / (width * height);
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = pixels.subarray(i * channels, (i + 1) * channels);
    const a = channels === 2 ? s[1] : channels === 4 ? s[3] : 255;
    const rgb = channels <= 2 ? [s[0], s[0], s[0]] : [s[0], s[1], s[2]];
    rgb.forEach((v, k) => (out[i * 3 + k] = Math.round((v * a + 255 * (255 - a)) / 255)));
  }
  return out;
}

test("the addon's PNG decoder gives @napi-rs/image's pixels for every colour type, with tRNS and several IDAT chunks", async () => {
  const width = 61;
  const height = 47;
  // Varied pixels and alpha, so every row filter and every blend is used.
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([(i * 7) % 256, (i * 13 + 50) % 256, (i * i) % 256, (i * 3) % 256], i * 4);
  const image = () => sharp(rgba, { raw: { width, height, channels: 4 } });
  const cases: [string, Buffer][] = [
    ['RGBA', await image().png().toBuffer()],
    ['RGB', await image().removeAlpha().png({ compressionLevel: 9 }).toBuffer()],
    ['grey', await image().removeAlpha().toColourspace('b-w').png().toBuffer()],
    ['grey + alpha', await image().toColourspace('b-w').png().toBuffer()],
    ['palette with tRNS', await image().png({ palette: true, colours: 64 }).toBuffer()],
    ['RGB in small IDAT chunks', await image().removeAlpha().png({ compressionLevel: 0 }).toBuffer()],
  ];
  for (const [name, png] of cases) {
    const out = Buffer.alloc(width * height * 3);
    assert.equal(decodePngInto(png, out, width, height), true, `${name}: the addon is built`);
    assert.ok(out.equals(napiReference(png, width, height)), `${name}: same pixels as @napi-rs/image`);
  }
  // Colour type 3 with a tRNS chunk, and several IDATs, were really exercised.
  const palette = cases[4][1];
  assert.equal(palette[25], 3);
  assert.doesNotThrow(() => chunkAt(palette, 'tRNS'));
  const stored = cases[5][1];
  assert.ok(chunkAt(stored, 'IDAT') < stored.lastIndexOf('IDAT') - 4, 'several IDAT chunks');
});

test("PNGs the addon's decoder refuses: interlaced ones go to @napi-rs/image, damaged ones to sharp, which says why (as before)", async () => {
  const photo = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png();
  const interlaced = await photo.clone().png({ progressive: true }).toBuffer();
  assert.equal(interlaced[28], 1, 'Adam7');
  assert.throws(() => decodePngInto(interlaced, Buffer.alloc(40 * 30 * 3), 40, 30), { code: 'PNG_DECODE' });
  assert.deepEqual(decodeOtherInto(interlaced), { width: 40, height: 30 });
  assert.deepEqual([...inputPixels(40, 30).subarray(0, 3)], [10, 200, 30]);

  const plainPng = await photo.toBuffer();
  // A flipped bit in the image data: the chunk's CRC says so.
  const badCrc = Buffer.from(plainPng);
  badCrc[chunkAt(badCrc, 'IDAT') + 10] ^= 0x01;
  // Garbage in the compressed data under a CRC made to match: the inflate says so.
  const badData = Buffer.from(plainPng);
  const idat = chunkAt(badData, 'IDAT');
  const length = badData.readUInt32BE(idat);
  badData.fill(0xff, idat + 8 + 2, idat + 8 + length - 4);
  badData.writeUInt32BE(crc32(badData.subarray(idat + 4, idat + 8 + length)), idat + 8 + length);
  for (const [name, png] of [['bad CRC', badCrc], ['bad image data', badData]] as const) {
    assert.throws(() => decodePngInto(png, Buffer.alloc(40 * 30 * 3), 40, 30), { code: 'PNG_DECODE' }, name);
    assert.equal(decodeOtherInto(png), undefined, `${name}: left to sharp`);
    await assert.rejects(convertImage(png, options), (error: Error) => error instanceof ImageSkip && /^(corrupt|truncated) image: /.test(error.message), name);
  }
});
