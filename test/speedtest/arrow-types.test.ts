import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromIPC, Type, type Table } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { toArrow } from '../../src/run-folder/tables.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, withTempDir } from '../helpers.js';

const typeOf = (table: Table) =>
  Object.fromEntries(table.schema.fields.map((f) => [f.name, { type: f.type.typeId, bits: (f.type as { bitWidth?: number }).bitWidth }]));

test('measurements.arrow and resources.arrow: counters are Int64, counts Int32, times and rates Float64; values equal the CSV', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'run');
    await speedtest({ images: join(ROOT, 'fixtures', 'photos'), out, batchSizes: [4], batchNumbers: [3], repetitions: [1, 2], workers: 1 });
    const measurements = tableFromIPC(await readFile(join(out, 'measurements.arrow')));
    const m = typeOf(measurements);
    assert.deepEqual(m.bytes_read, { type: Type.Int, bits: 64 });
    for (const c of ['images', 'batch_size', 'batch_number', 'repetition', 'data_size', 'workers', 'epochs', 'cached_images']) assert.deepEqual(m[c], { type: Type.Int, bits: 32 }, c);
    for (const c of ['seconds', 'images_per_second', 'start_ms', 'first_batch_ms', 'read_ms', 'wait_ms', 'thread_cpu_ms']) assert.equal(m[c].type, Type.Float, c);
    const csv = parse(await readFile(join(out, 'measurements.csv')), { columns: true }) as Record<string, string>[];
    measurements.toArray().forEach((row, i) => assert.equal(String(row.bytes_read), csv[i].bytes_read, `bytes_read of row ${i}`));
    assert.ok(csv.every((r) => Number(r.bytes_read) > 0 && Number.isInteger(Number(r.bytes_read))));

    const resources = typeOf(tableFromIPC(await readFile(join(out, 'resources.arrow'))));
    for (const c of ['rss_bytes', 'read_bytes', 'read_ops', 'written_bytes']) assert.deepEqual(resources[c], { type: Type.Int, bits: 64 }, c);
    assert.equal(resources.cpu_process.type, Type.Float);
  });
});

test('an Int64 counter past 2^31 keeps its value; one that could not be read is null, not 0', async () => {
  const table = tableFromIPC(await toArrow([{ n: 2 ** 40 + 3 }, { n: NaN }, { n: 7 }], { n: 'int64' }));
  assert.deepEqual(table.toArray().map((r) => r.n), [2n ** 40n + 3n, null, 7n]);
});
