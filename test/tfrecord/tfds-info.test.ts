/** checkSplits: a split's record count and each shard's against dataset_info.json's shard lengths. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSplits } from '../../src/tfrecord/tfds-info.js';

test('checkSplits: the split total, a shard cut short and a shard missing; other folders and unlisted splits ignored', () => {
  const info = { path: '/d/dataset_info.json', splits: { train: [10, 20, 30], test: [5] } };
  const records = new Map([
    ['/d/x-train.tfrecord-00000-of-00003', 10],
    ['/d/x-train.tfrecord-00002-of-00003', 29],
    ['/d/x-test.tfrecord-00000-of-00001', 5],
    ['/d/x-extra.tfrecord-00000-of-00001', 7],
    ['/other/x-train.tfrecord-00001-of-00003', 20],
  ]);
  assert.deepEqual(checkSplits(info, records), [
    { split: 'train', expected: 60, read: 39, wrongShards: [{ shard: 1, file: null, expected: 20, read: 0 }, { shard: 2, file: '/d/x-train.tfrecord-00002-of-00003', expected: 30, read: 29 }] },
    { split: 'test', expected: 5, read: 5, wrongShards: [] },
  ]);
});
