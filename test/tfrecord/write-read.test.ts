import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PipelineError } from '../../src/errors.js';
import { decodeExample, encodeExample, type Features } from '../../src/tfrecord/example.js';
import { FRAME_OVERHEAD } from '../../src/tfrecord/framing.js';
import { inspect } from '../../src/inspect/inspect.js';
import { readRecords } from '../../src/tfrecord/reader.js';
import { readIndex, splitIndex } from '../../src/tfrecord/record-index.js';
import { writeRecords } from '../../src/tfrecord/writer.js';
import { collect, GOLDEN, runChecker, runCli, withTempDir } from '../helpers.js';

function sampleExamples(n: number): Features[] {
  return Array.from({ length: n }, (_, i) => ({
    image: { bytes: [randomBytes(100 + ((i * 7919) % 3000))] },
    class: { int64: [BigInt(i % 5)] },
    label: { bytes: [Buffer.from(`class-${i % 5}`)] },
    weights: { float: [0.5, -1.25, i] },
  }));
}

for (const compression of ['none', 'gzip', 'zlib'] as const) {
  test(`write then read ${compression}: same records, index offsets right, the checker verifies it`, async () => {
    await withTempDir(async (dir) => {
      const suffix = { none: '', gzip: '.gz', zlib: '.zlib' }[compression];
      const path = join(dir, `data.tfrecord${suffix}`);
      const examples = sampleExamples(300);
      const payloads = examples.map(encodeExample);
      const result = await writeRecords(path, payloads, { compression, indexPath: join(dir, 'data.idx') });
      assert.equal(result.records, 300);
      assert.equal(result.bytes, payloads.reduce((s, p) => s + p.length + FRAME_OVERHEAD, 0));
      assert.deepEqual(await readdir(dir), ['data.idx', `data.tfrecord${suffix}`].sort(), 'no temporary file left');

      const records = await collect(readRecords(path));
      assert.equal(records.length, 300);
      records.forEach((r, i) => assert.deepEqual(Buffer.from(r.data), Buffer.from(payloads[i])));
      assert.deepEqual(decodeExample(records[7].data), examples[7]);

      const index = await readIndex(join(dir, 'data.idx'));
      assert.deepEqual(index.map((e) => e.offset), records.map((r) => r.offset));

      const flag = compression === 'none' ? [] : [`--${compression}`];
      const checker = await runChecker(['check', path, ...flag]);
      assert.equal(checker.code, 0, JSON.stringify(checker.json?.errors));
      const ours = await inspect({ target: path, verify: true });
      // inspect adds what the checker has no word for (detected keys, notes); the checker's fields agree.
      // inspect adds featureTypes (counts per key and type), with the checker's keys and types.
      const { detected: _d, notes: _n, featureTypes, ...same } = ours;
      assert.deepEqual(same, checker.json, 'inspect agrees with the checker');
      assert.deepEqual(
        Object.fromEntries(Object.entries(featureTypes).map(([k, t]) => [k, Object.keys(t)])),
        Object.fromEntries(Object.entries(checker.json.features).map(([k, t]) => [k, [t]])),
      );
    });
  });
}

test('our Example encoding is byte-identical to the checker\'s writer (sorted keys, packed lists)', async () => {
  await withTempDir(async (dir) => {
    const spec = JSON.parse(await readFile(join(GOLDEN, 'varied.json'), 'utf8').then((t) => t.replace(/(?<=[[,\s])(-?\d{16,})(?=[\],\s])/g, '"$1"')));
    const examples: Features[] = spec.map((ex: Record<string, any>) => {
      const out: Features = {};
      for (const [k, v] of Object.entries(ex)) {
        if (v.bytes) out[k] = { bytes: v.bytes.map((h: string) => Buffer.from(h, 'hex')) };
        else if (v.int64) out[k] = { int64: v.int64.map((x: string | number) => BigInt(x)) };
        else out[k] = { float: v.float };
      }
      return out;
    });
    const path = join(dir, 'ours.tfrecord');
    await writeRecords(path, examples.map(encodeExample));
    assert.deepEqual(await readFile(path), await readFile(join(GOLDEN, 'varied.tfrecord')));
  });
});

test('int64 and float lists written unpacked (older writers) decode the same', () => {
  // Feature{int64_list{value: 1, value: -1}} unpacked: field 1 wire type 0, twice.
  const neg = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  const int64List = Buffer.concat([Buffer.from([0x08, 0x01, 0x08]), neg]);
  const floatList = Buffer.from([0x0d, 0x00, 0x00, 0xc0, 0x3f]); // 1.5 as fixed32, unpacked
  const feature = (field: number, body: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
  const entry = (key: string, f: Buffer) => {
    const k = Buffer.from(key);
    const body = Buffer.concat([Buffer.from([0x0a, k.length]), k, Buffer.from([0x12, f.length]), f]);
    return Buffer.concat([Buffer.from([0x0a, body.length]), body]);
  };
  const features = Buffer.concat([entry('i', feature(3, int64List)), entry('f', feature(2, floatList))]);
  const example = Buffer.concat([Buffer.from([0x0a, features.length]), features]);
  assert.deepEqual(decodeExample(example), { i: { int64: [1n, -1n] }, f: { float: [1.5] } });
});

test('a byte range from the index reads exactly its records (splitting a file between readers)', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'x.tfrecord');
    const payloads = sampleExamples(101).map(encodeExample);
    await writeRecords(path, payloads, { indexPath: join(dir, 'x.idx') });
    const ranges = splitIndex(await readIndex(join(dir, 'x.idx')), 4);
    assert.equal(ranges.length, 4);
    const parts = await Promise.all(ranges.map((r) => collect(readRecords(path, { start: r.start, end: r.end }))));
    assert.deepEqual(parts.map((p) => p.length), ranges.map((r) => r.records));
    assert.deepEqual(parts.flat().map((r) => Buffer.from(r.data)), payloads.map((p) => Buffer.from(p)));
  });
});

test('a length larger than what is left in the file is refused before allocating', async () => {
  await withTempDir(async (dir) => {
    // A header with a valid CRC that declares 1 TiB.
    const { frameParts } = await import('../../src/tfrecord/framing.js');
    const { header } = frameParts(Buffer.alloc(0));
    header.writeBigUInt64LE(1n << 40n, 0);
    const { maskedCrc32c } = await import('../../src/tfrecord/crc32c.js');
    header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
    const path = join(dir, 'huge.tfrecord');
    await writeFile(path, Buffer.concat([header, Buffer.alloc(100)]));
    const before = process.memoryUsage().arrayBuffers;
    await assert.rejects(collect(readRecords(path)), (e: PipelineError) => e.code === 'TFRECORD_TRUNCATED_RECORD' && e.offset === 0);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });
});

test('a file that is not a TFRecord (text) fails with a length CRC error at offset 0', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'notes.tfrecord');
    await writeFile(path, 'this is not a tfrecord file, just some text\n');
    await assert.rejects(collect(readRecords(path)), (e: PipelineError) => e.code === 'TFRECORD_LENGTH_CRC' && e.offset === 0);
  });
});

test('a corrupt gzip stream is one clear error naming the file', async () => {
  await withTempDir(async (dir) => {
    const good = await readFile(join(GOLDEN, 'varied.tfrecord.gz'));
    const bad = Buffer.from(good);
    bad.fill(0x55, 40, 80);
    const path = join(dir, 'bad.tfrecord.gz');
    await writeFile(path, bad);
    await assert.rejects(collect(readRecords(path)), (e: PipelineError) => e.code === 'TFRECORD_COMPRESSION' && e.message.includes(path));
  });
});

test('inspect --json on the golden folder agrees with the checker, exit 3 for the corrupt files', async () => {
  const files = ['tensorflow-singles.tfrecord', 'varied.tfrecord', 'corrupt-data-crc.tfrecord', 'corrupt-length.tfrecord', 'truncated.tfrecord', 'empty.tfrecord'];
  const checker = await runChecker(['check', ...files.map((f) => join(GOLDEN, f))]);
  for (const f of files) {
    const cli = await runCli(['inspect', join(GOLDEN, f), '--verify', '--json']);
    const one = await runChecker(['check', join(GOLDEN, f)]);
    const { detected: _d, notes: _n, featureTypes: _t, ...same } = JSON.parse(cli.stdout);
    assert.deepEqual(same, one.json, f);
    assert.equal(cli.code, one.code === 0 ? 0 : 3, f);
  }
  assert.equal(checker.code, 1);
});

test('inspect: a missing path is a usage error (exit 2) with one clear line', async () => {
  const cli = await runCli(['inspect', '/nonexistent/file.tfrecord']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /no such file or folder/);
  assert.doesNotMatch(cli.stderr, /at .*\.js/);
});

test('a SequenceExample round-trips: context features and feature lists', async () => {
  const { encodeSequenceExample, decodeSequenceExample } = await import('../../src/tfrecord/example.js');
  const example = {
    context: { id: { bytes: [Buffer.from('clip-7')] }, length: { int64: [3n] } },
    featureLists: {
      frames: [{ bytes: [Buffer.from([1, 2])] }, { bytes: [Buffer.from([3])] }, { bytes: [] }],
      scores: [{ float: [0.5] }, { float: [-1.25, 2] }],
    },
  };
  const back = decodeSequenceExample(encodeSequenceExample(example));
  assert.deepEqual(JSON.parse(JSON.stringify(back, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))), JSON.parse(JSON.stringify(example, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))));
  assert.throws(() => decodeSequenceExample(Buffer.from([0x0a, 0x05, 0x01])), (e: PipelineError) => e.code === 'EXAMPLE_DECODE');
});
