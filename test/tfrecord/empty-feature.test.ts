/** An empty Feature (no list set) read as such and written back as such; the checker reads ours. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeAnyExample, decodeExample, encodeExample, encodeSequenceExample, featureType } from '../../src/tfrecord/example.js';
import { writeRecords } from '../../src/tfrecord/writer.js';
import { runChecker, withTempDir } from '../helpers.js';

// Example{features{feature{key:"missing" value{}}}}: map entry (key 1, value 2 of length 0), hand-encoded as TFX writes it.
const entry = Buffer.concat([Buffer.from([0x0a, 0x07]), Buffer.from('missing'), Buffer.from([0x12, 0x00])]);
const TFX_EMPTY = Buffer.concat([Buffer.from([0x0a, entry.length + 2, 0x0a, entry.length]), entry]);

test('an empty Feature decodes as {empty: true}, typed "empty", and encodes back to the same bytes', () => {
  const features = decodeExample(TFX_EMPTY);
  assert.equal(featureType(features.missing!), 'empty');
  assert.deepEqual(features, { missing: { empty: true } });
  assert.deepEqual(Buffer.from(encodeExample(features)), TFX_EMPTY);
  assert.deepEqual(decodeExample(encodeExample({ a: { bytes: [] } })), { a: { bytes: [] } }, 'an empty BytesList stays a BytesList');
});

test('decodeAnyExample tells an Example from a SequenceExample', () => {
  assert.equal(decodeAnyExample(TFX_EMPTY).kind, 'example');
  const seq = decodeAnyExample(encodeSequenceExample({ context: { n: { empty: true } }, featureLists: { f: [{ int64: [1n] }, { empty: true }] } }));
  assert.deepEqual(seq, { kind: 'sequence', context: { n: { empty: true } }, featureLists: { f: [{ int64: [1n] }, { empty: true }] } });
});

test('the independent checker reads our empty feature as one with no list', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'e.tfrecord');
    await writeRecords(file, [encodeExample({ missing: { empty: true }, n: { int64: [3n] } })]);
    const checked = await runChecker(['check', file, '--dump']);
    assert.equal(checked.code, 0);
    assert.deepEqual(checked.json.examples, [{ missing: { empty: [] }, n: { int64: [3] } }]);
  });
});
