import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PipelineError } from '../../src/errors.js';
import { inspect } from '../../src/inspect/inspect.js';
import { readRecords, type RecordProblem } from '../../src/tfrecord/reader.js';
import { collect, GOLDEN } from '../helpers.js';

async function expected(name: string) {
  // Parse with big integers kept exact: int64 extremes do not fit a double.
  const text = await readFile(join(GOLDEN, name), 'utf8');
  return JSON.parse(text.replace(/(?<=[[,\s])(-?\d{16,})(?=[\],\s])/g, '"big:$1"'), (_k, v) =>
    typeof v === 'string' && v.startsWith('big:') ? BigInt(v.slice(4)) : v,
  );
}

function normalise(examples: unknown) {
  // int64 values are bigint on our side; the expected file has plain numbers for small ones.
  return JSON.parse(JSON.stringify(examples, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), (_k, v) => (typeof v === 'number' ? String(v) : v));
}

for (const [file, exp] of [
  ['tensorflow-singles.tfrecord', 'tensorflow-singles.expected.json'],
  ['varied.tfrecord', 'varied.expected.json'],
  ['varied.tfrecord.gz', 'varied.expected.json'],
  ['varied.tfrecord.zlib', 'varied.expected.json'],
]) {
  test(`${file} decodes exactly as ${exp}`, async () => {
    const want = await expected(exp);
    const got = await inspect({ target: join(GOLDEN, file), verify: true, dump: 1000 });
    assert.equal(got.records, want.records);
    assert.equal(got.bytes, want.bytes);
    assert.deepEqual(got.features, want.features);
    assert.deepEqual(got.errors, []);
    // Floats: the checker prints the float32 value widened to double; so do we.
    assert.deepEqual(normalise(got.examples), normalise(want.examples));
  });
}

for (const [file, code, record, offset] of [
  ['corrupt-data-crc.tfrecord', 'TFRECORD_DATA_CRC', 1, 79],
  ['corrupt-length.tfrecord', 'TFRECORD_LENGTH_CRC', 1, 79],
  ['truncated.tfrecord', 'TFRECORD_TRUNCATED_RECORD', 4, 334],
] as const) {
  test(`${file} fails with ${code} at record ${record}, offset ${offset}`, async () => {
    const path = join(GOLDEN, file);
    await assert.rejects(collect(readRecords(path)), (e: unknown) => {
      assert.ok(e instanceof PipelineError);
      assert.equal(e.code, code);
      assert.equal(e.record, record);
      assert.equal(e.offset, offset);
      assert.match(e.message, new RegExp(`${file}.*record ${record}.*offset ${offset}`));
      return true;
    });
  });

  test(`${file} with the skip option: reports the problem, keeps the good records`, async () => {
    const problems: RecordProblem[] = [];
    const records = await collect(readRecords(join(GOLDEN, file), { onProblem: (p) => problems.push(p) }));
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, code);
    assert.equal(problems[0].record, record);
    assert.equal(problems[0].offset, offset);
    // A data CRC failure drops one record (framing holds); broken framing stops the file there.
    const indices = records.map((r) => r.index);
    assert.deepEqual(indices, code === 'TFRECORD_DATA_CRC' ? [0, 2, 3, 4] : [...Array(record).keys()]);
  });
}

test('the data CRC is not checked when verify is off (a fast path for trusted files)', async () => {
  const records = await collect(readRecords(join(GOLDEN, 'corrupt-data-crc.tfrecord'), { verify: false }));
  assert.equal(records.length, 5);
});

test('empty.tfrecord is zero records and no error', async () => {
  assert.deepEqual(await collect(readRecords(join(GOLDEN, 'empty.tfrecord'))), []);
  const result = await inspect({ target: join(GOLDEN, 'empty.tfrecord'), verify: true });
  assert.equal(result.records, 0);
  assert.deepEqual(result.errors, []);
});
