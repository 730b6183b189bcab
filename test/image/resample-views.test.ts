import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverBox, inputPixels, readColumns, resizeRgb } from '../../src/image/resample.js';

/** A flat grey image resized stays that grey: the bytes of a real resize through whatever view is handed out. */
function greyFit(width: number, height: number, value: number, out: number): Buffer {
  const box = coverBox(width, height, out, out);
  readColumns(width, height, box, out, out);
  inputPixels(width, height).fill(value);
  return resizeRgb(width, height, box, out, out);
}

test('images of one size reuse the views of the resampler memory; a grown memory gets new, live ones', () => {
  const small = greyFit(48, 36, 100, 32);
  assert.ok(small.every((v) => v === 100));
  // Same size again: the same views, no Buffer made per image.
  assert.equal(inputPixels(48, 36), inputPixels(48, 36));
  assert.equal(greyFit(48, 36, 90, 32), small);
  // A much larger image grows the memory, which detaches the views made before it.
  const big = greyFit(3000, 2000, 50, 32);
  assert.ok(big.every((v) => v === 50));
  assert.equal(small.length, 0, 'the old view is detached by the growth');
  // Back to the small size: views over the grown memory, with the right length and bytes.
  const again = greyFit(48, 36, 120, 32);
  assert.equal(again.length, 32 * 32 * 3);
  assert.ok(again.every((v) => v === 120));
  assert.equal(inputPixels(48, 36).length, 48 * 36 * 3);
});
