import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { coverBox, inputPixels, resizeRgb, type Box } from '../../src/image/resample.js';
import { PYTHON, ROOT } from '../helpers.js';

const exec = promisify(execFile);

/** Deterministic pixels with edges and noise: a smooth image would hide a misplaced tap. */
function pattern(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const x = Math.floor(i / 3) % width;
    const y = Math.floor(i / 3 / width);
    pixels[i] = ((x * 7 + y * 3 + (i % 3) * 50) % 256 + (seed >>> 28)) & 255;
  }
  return pixels;
}

function resize(pixels: Buffer, width: number, height: number, box: Box, outW: number, outH: number): Buffer {
  inputPixels(width, height).set(pixels);
  return Buffer.from(resizeRgb(width, height, box, outW, outH));
}

/** Pillow's own resize of the same pixels (Image.resize with LANCZOS and a float box). */
async function pillow(pixels: Buffer, width: number, height: number, box: Box, outW: number, outH: number): Promise<Buffer> {
  const script = `import sys; from PIL import Image
im = Image.frombytes('RGB', (${width}, ${height}), sys.stdin.buffer.read())
sys.stdout.buffer.write(im.resize((${outW}, ${outH}), Image.LANCZOS, box=(${box.join(', ')})).tobytes())`;
  const child = execFile(PYTHON, ['-c', script], { encoding: 'buffer', maxBuffer: 1 << 26 });
  child.stdin!.end(pixels);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`python exited ${code}`)))));
  return Buffer.concat(chunks);
}

for (const [width, height, outW, outH, label] of [
  [500, 333, 192, 192, 'landscape, half-pixel crop offset'],
  [375, 500, 192, 192, 'portrait'],
  [101, 77, 192, 160, 'enlarging'],
  [640, 480, 64, 48, 'shrinking 10x'],
] as const) {
  test(`resizeRgb matches Pillow's LANCZOS resize within 1 level: ${width}x${height} -> ${outW}x${outH} (${label})`, async () => {
    const pixels = pattern(width, height);
    const box = coverBox(width, height, outW, outH);
    const ours = resize(pixels, width, height, box, outW, outH);
    const theirs = await pillow(pixels, width, height, box, outW, outH);
    assert.equal(ours.length, outW * outH * 3);
    assert.equal(theirs.length, ours.length);
    let worst = 0;
    let total = 0;
    for (let i = 0; i < ours.length; i++) {
      const d = Math.abs(ours[i] - theirs[i]);
      worst = Math.max(worst, d);
      total += d;
    }
    // Pillow's weights are fixed-point integers, ours f32: off by one at most.
    assert.ok(worst <= 1, `largest difference ${worst}`);
    assert.ok(total / ours.length < 0.2, `mean difference ${total / ours.length}`);
  });
}

test('coverBox is the centred crop of ImageOps.fit, fractions kept', () => {
  assert.deepEqual(coverBox(500, 333, 192, 192), [83.5, 0, 416.5, 333]);
  assert.deepEqual(coverBox(375, 500, 192, 192), [0, 62.5, 375, 437.5]);
  assert.deepEqual(coverBox(300, 200, 300, 100), [0, 50, 300, 150]);
  assert.deepEqual(coverBox(192, 192, 192, 192), [0, 0, 192, 192]);
});

test('the same pixels give the same bytes whatever was resized before (reused memory, cached kernels)', () => {
  const a = pattern(320, 240);
  const first = resize(a, 320, 240, coverBox(320, 240, 192, 192), 192, 192);
  resize(pattern(1200, 900), 1200, 900, coverBox(1200, 900, 100, 300), 100, 300);
  assert.deepEqual(resize(a, 320, 240, coverBox(320, 240, 192, 192), 192, 192), first);
});

test('the committed WebAssembly module is what wasm/resample.ts compiles to', async () => {
  const { stdout } = await exec(process.execPath, [join(ROOT, 'wasm', 'build.mjs'), '--check']);
  assert.match(stdout, /up to date/);
});
