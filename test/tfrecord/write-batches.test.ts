import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRecords } from '../../src/tfrecord/reader.js';
import { readIndex } from '../../src/tfrecord/record-index.js';
import { writeRecords } from '../../src/tfrecord/writer.js';
import { collect, withTempDir } from '../helpers.js';

// The uncompressed writer fills one batch buffer again and again (src/tfrecord/writer.ts): a
// shard of several batches must still hold every record as given, its index and checksum right.
for (const compression of ['none', 'gzip'] as const) {
  test(`${compression}: a shard of several 1 MiB batches, one record bigger than a batch, reads back whole`, async () => {
    await withTempDir(async (dir) => {
      const payloads = [...Array.from({ length: 700 }, (_, i) => randomBytes(3000 + ((i * 7919) % 5000))), randomBytes(3 << 20), randomBytes(10)];
      const path = join(dir, 'data.tfrecord');
      const result = await writeRecords(path, payloads, { compression, indexPath: join(dir, 'data.idx') });
      assert.equal(result.records, payloads.length);
      assert.deepEqual(await readdir(dir), ['data.idx', 'data.tfrecord'], 'no temporary file left');
      const onDisk = await readFile(path);
      assert.equal(result.fileBytes, onDisk.length);
      assert.equal(result.sha256, createHash('sha256').update(onDisk).digest('hex'));
      const records = await collect(readRecords(path, compression === 'gzip' ? { compression } : {}));
      assert.equal(records.length, payloads.length);
      records.forEach((r, i) => assert.ok(Buffer.from(r.data).equals(payloads[i]), `record ${i}`));
      const index = await readIndex(join(dir, 'data.idx'));
      assert.equal(index.length, payloads.length);
    });
  });
}

test('a records source that fails midway leaves neither the shard nor its index, nor a temporary file', async () => {
  await withTempDir(async (dir) => {
    async function* failing() {
      for (let i = 0; i < 600; i++) yield randomBytes(4000);
      throw new Error('source failed');
    }
    await assert.rejects(writeRecords(join(dir, 'data.tfrecord'), failing(), { indexPath: join(dir, 'data.idx') }), /source failed/);
    assert.deepEqual(await readdir(dir), []);
  });
});
