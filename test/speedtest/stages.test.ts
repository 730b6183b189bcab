import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attribute } from '../../src/speedtest/stages.js';

test('attribute gives overlapping work to the work, not to the read awaiting beside it; splits work equally; counts gaps as wait; clips to the window', () => {
  const t = attribute(
    [
      { stage: 'read', start: 0, end: 4 },
      { stage: 'decode', start: 2, end: 6 },
      { stage: 'assembly', start: 8, end: 9 },
      { stage: 'fit', start: 9.5, end: 20 }, // runs past the window's end
      { stage: 'read', start: -5, end: -1 }, // before the window
    ],
    0,
    10,
  );
  // 0-2 read alone; 2-6 decode (the read's await could not resume while the thread decoded).
  assert.deepEqual(t.share, { read: 2, verify_parse: 0, decode: 4, fit: 0.5, assembly: 1 });
  assert.equal(t.wait, 2.5);
  assert.deepEqual(t.busy, { read: 4, verify_parse: 0, decode: 4, fit: 0.5, assembly: 1 });
});

test('overlapping work of two stages is split equally between them', () => {
  const t = attribute([{ stage: 'verify_parse', start: 0, end: 4 }, { stage: 'decode', start: 2, end: 6 }, { stage: 'read', start: 0, end: 6 }], 0, 6);
  assert.deepEqual(t.share, { read: 0, verify_parse: 3, decode: 3, fit: 0, assembly: 0 });
  assert.equal(t.wait, 0);
});

test('attribute of no intervals is all wait', () => {
  const t = attribute([], 5, 7);
  assert.equal(t.wait, 2);
  assert.equal(Object.values(t.share).reduce((a, b) => a + b, 0), 0);
});
