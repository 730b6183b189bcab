/** The hand decoder of plain Examples gives what protobufjs gives, and leaves every other record to it. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePlainExample } from '../../src/tfrecord/example-decode.js';
import { decodeAnyExample, encodeExample, encodeSequenceExample } from '../../src/tfrecord/example.js';
import { readRecords } from '../../src/tfrecord/reader.js';
import { GOLDEN } from '../helpers.js';

/** Protobuf bytes from parts: numbers are single bytes, arrays are nested, `len(...)` prefixes a length. */
const bytes = (...parts: (number | Uint8Array)[]) => Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
const len = (...parts: (number | Uint8Array)[]) => {
  const body = bytes(...parts);
  return bytes(body.length, body);
};
/** An Example of one entry `key` -> a Feature whose body is `feature`. */
const oneEntry = (key: string, feature: Uint8Array) => bytes(0x0a, len(0x0a, len(0x0a, len(Buffer.from(key)), 0x12, len(feature))));

test('plain Examples: the same features as protobufjs, for TensorFlow-written and our records', async () => {
  let compared = 0;
  for (const file of ['tensorflow-singles.tfrecord', 'varied.tfrecord']) {
    for await (const record of readRecords(join(GOLDEN, file))) {
      const plain = decodePlainExample(record.data);
      if (plain === undefined) continue; // a SequenceExample or an odd record: protobufjs' job
      assert.deepEqual(plain, decodeAnyExample(record.data), `${file} record ${record.index}`);
      compared++;
    }
  }
  assert.ok(compared > 0);
  const features = {
    image: { bytes: [Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(0)] },
    label: { int64: [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 300n] },
    weights: { float: [0, 1.5, -2.25, 3.4028234663852886e38, Number.NaN] },
    none: { empty: true as const },
    'name with spaces': { bytes: [Buffer.from('x')] },
    '7': { int64: [] },
    noFloats: { float: [-0] },
    noBytes: { bytes: [] },
  };
  const data = Buffer.from(encodeExample(features));
  assert.deepEqual(decodePlainExample(data), decodeAnyExample(data));
  assert.deepEqual(decodePlainExample(Buffer.alloc(0)), decodeAnyExample(Buffer.alloc(0)));
  const noFeatures = Buffer.from([0x0a, 0x00]); // an empty Features message
  assert.deepEqual(decodePlainExample(noFeatures), decodeAnyExample(noFeatures));
});

test('unpacked int64 and float values (one per tag) read as protobufjs reads them', () => {
  const float = Buffer.alloc(4);
  float.writeFloatLE(0.5);
  for (const data of [
    oneEntry('i', bytes(0x1a, len(0x08, 0x96, 0x01, 0x08, 0x05))), // Int64List, two unpacked values
    oneEntry('f', bytes(0x12, len(0x0d, float, 0x0a, len(float, float)))), // FloatList, one unpacked then two packed
    oneEntry('i', bytes(0x1a, len(0x08, ...Array(9).fill(0xff), 0x01))), // -1 as ten bytes
  ]) {
    assert.deepEqual(decodePlainExample(data), decodeAnyExample(data));
  }
});

test('records not of the plain shape are left to protobufjs', () => {
  const sequence = Buffer.from(encodeSequenceExample({ context: { id: { bytes: [Buffer.from('a')] } }, featureLists: { f: [{ int64: [1n] }] } }));
  const plain = oneEntry('k', bytes(0x0a, len(0x0a, len(1))));
  const cases: Record<string, Uint8Array> = {
    'a SequenceExample': sequence,
    'a second features field': bytes(plain, plain),
    'a duplicate key': bytes(0x0a, len(0x0a, len(0x0a, len(0x6b), 0x12, len()), 0x0a, len(0x0a, len(0x6b), 0x12, len()))),
    'a non-ASCII key': oneEntry('é', bytes()),
    'the key __proto__': oneEntry('__proto__', bytes()),
    'an entry without a value': bytes(0x0a, len(0x0a, len(0x0a, len(0x6b)))),
    'two lists in a Feature': oneEntry('k', bytes(0x0a, len(), 0x1a, len())),
    'an unknown field in a Feature': oneEntry('k', bytes(0x22, len())),
    'a float value of the wrong wire type': oneEntry('k', bytes(0x12, len(0x08, 0x01))),
    'a varint past 64 bits': oneEntry('i', bytes(0x1a, len(0x08, ...Array(9).fill(0xff), 0x02))),
    'a length past the record': bytes(0x0a, 0x7f, 0x0a),
    'truncated': plain.subarray(0, plain.length - 1),
  };
  for (const [what, data] of Object.entries(cases)) assert.equal(decodePlainExample(data), undefined, what);
  // The plain record above is one: the cases fail for the reason they name.
  assert.deepEqual(decodePlainExample(plain), decodeAnyExample(plain));
});
