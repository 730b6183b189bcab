import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeExample, encodeExample, featureType, type Features } from '../../src/tfrecord/example.js';
import { scanExampleFeatureTypes } from '../../src/tfrecord/example-scan.js';
import { inspect } from '../../src/inspect/inspect.js';
import { readRecordGroups, readRecords } from '../../src/tfrecord/reader.js';
import { writeRecords } from '../../src/tfrecord/writer.js';
import { withTempDir } from '../helpers.js';

/** Record sizes that put records across the reader's 4 MiB chunks, one across three chunks. */
const SIZES = [10, 4 * 2 ** 20 - 30, 100, 9 * 2 ** 20, 0, 5000, 4 * 2 ** 20, 7];

test('records across chunk boundaries read back exactly, with recycled buffers too', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'a.tfrecord');
    const payloads = SIZES.map((n) => randomBytes(n));
    await writeRecords(path, payloads);
    for (const transient of [false, true]) {
      let i = 0;
      for await (const group of readRecordGroups(path, { transient })) {
        for (const record of group) {
          assert.ok(record.data.equals(payloads[i]), `record ${i} (${SIZES[i]} bytes), transient ${transient}`);
          i++;
        }
      }
      assert.equal(i, payloads.length);
    }
    // Kept records (not transient) stay valid after reading on.
    const kept = [];
    for await (const record of readRecords(path)) kept.push(record.data);
    kept.forEach((data, i) => assert.ok(data.equals(payloads[i])));
  });
});

test('inspect --verify checks the .idx in the same pass: a wrong line, a line too many, leading zeros', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'part-00000-of-00001.tfrecord');
    const index = join(dir, 'part-00000-of-00001.idx');
    const records = Array.from({ length: 50 }, (_, i) => encodeExample({ image: { bytes: [randomBytes(100 + i)] }, class: { int64: [BigInt(i)] } }));
    await writeRecords(path, records, { indexPath: index });
    assert.deepEqual((await inspect({ target: path, verify: true })).errors, []);
    const lines = (await readFile(index, 'utf8')).trimEnd().split('\n');
    const variants: [string, string[], number][] = [
      ['wrong length on line 8', lines.map((l, i) => (i === 7 ? l.replace(/ (\d+)$/, (_, n) => ` ${Number(n) + 1}`) : l)), 8],
      ['one line too many', [...lines, '999999 10'], 51],
      ['leading zero on line 3', lines.map((l, i) => (i === 2 ? `0${l}` : l)), 3],
      ['a line missing', lines.slice(0, 49), 50],
    ];
    for (const [name, text, line] of variants) {
      await writeFile(index, text.join('\n') + '\n');
      const { errors } = await inspect({ target: path, verify: true });
      assert.equal(errors.length, 1, name);
      assert.match(errors[0].error, new RegExp(`^index line ${line}:`), name);
    }
  });
});

test('feature types read off the wire are those of the decoded Example; anything unusual is left to the decoder', () => {
  const examples: Features[] = [
    { image: { bytes: [Buffer.from('x')] }, class: { int64: [1n, -5n] }, score: { float: [0.5, 2] }, none: { bytes: [] }, missing: { empty: true } },
    { '0': { int64: [] }, 'a/b': { float: [] }, z: { bytes: [Buffer.alloc(0), Buffer.from('yy')] } },
    {},
  ];
  for (const features of examples) {
    const data = encodeExample(features);
    const scanned = scanExampleFeatureTypes(data);
    assert.ok(scanned);
    const decoded = Object.entries(decodeExample(data));
    assert.deepEqual(scanned.keys, decoded.map(([key]) => key), 'the same keys in the same order');
    assert.deepEqual(scanned.types, decoded.map(([, feature]) => featureType(feature)));
  }
  const good = encodeExample({ a: { int64: [1n] } });
  for (const bad of [good.subarray(0, good.length - 1), Buffer.from([0x0a, 0x05, 0x0a]), Buffer.from([0x12, 0x00]), Buffer.concat([good, good]), Buffer.from('not protobuf at all')]) {
    assert.equal(scanExampleFeatureTypes(bad), undefined, `rejected: ${Buffer.from(bad).toString('hex')}`);
  }
});
