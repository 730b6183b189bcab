import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, withTempDir } from '../helpers.js';

const STAGE_COLUMNS = ['read_ms', 'verify_parse_ms', 'decode_ms', 'fit_ms', 'assembly_ms'];

test('a real run fills first_batch_ms and the stage columns for both datasets; stages + wait = wall time within 5%', async () => {
  await withTempDir(async (dir) => {
    const photos = join(ROOT, 'fixtures', 'photos');
    const shards = join(dir, 'shards');
    await convert({ input: photos, out: shards, partitions: 2, size: '64x64' });
    const out = join(dir, 'run');
    await speedtest({ images: photos, tfrecords: shards, out, cache: 'both', batchSizes: [4, 8], batchNumbers: [3, 6], repetitions: [1, 2], workers: 2 });
    const rows = parse(await readFile(join(out, 'measurements.csv')), { columns: true, cast: true }) as Record<string, number | string>[];
    assert.equal(rows.length, 2 * 2 * 2 * 2 * 2);
    for (const r of rows) {
      const what = `${r.dataset}/${r.cache} ${r.batch_size}x${r.batch_number} rep ${r.repetition}`;
      const wall = (r.seconds as number) * 1000;
      const sum = STAGE_COLUMNS.reduce((s, c) => s + (r[c] as number), 0) + (r.wait_ms as number);
      assert.ok(Math.abs(sum - wall) <= 0.05 * wall, `${what}: stages + wait ${sum} ms vs wall ${wall} ms`);
      assert.ok((r.first_batch_ms as number) > 0 && (r.first_batch_ms as number) <= wall, `${what}: first batch ${r.first_batch_ms}`);
      assert.ok((r.steady_images_per_second as number) > 0, `${what}: steady-state rate`);
      assert.ok((r.assembly_ms as number) > 0, `${what}: batches are assembled`);
      for (const c of STAGE_COLUMNS) assert.ok((r[c] as number) >= 0 && (r[c.replace('_ms', '_busy_ms')] as number) >= (r[c] as number) - 1e-9, `${what}: ${c}`);
      if (r.cache === 'off') {
        assert.ok((r.read_ms as number) > 0 && (r.decode_ms as number) > 0, `${what}: storage passes read and decode`);
        if (r.dataset === 'tfrecord') assert.ok((r.verify_parse_ms as number) > 0, `${what}: CRC + parse`);
        // Photos at least twice the target size take sharp's one-call decode + fit (shrink-on-load), counted as decode.
        else assert.ok((r.fit_ms as number) >= 0, `${what}: fit`);
      } else {
        assert.equal(r.read_ms, 0, `${what}: cached passes do not read`);
        assert.equal(r.decode_ms, 0, `${what}: cached passes do not decode`);
      }
      // The kernel updates a running thread's CPU time at scheduler events (ticks, sleeps): a pass of a
      // few milliseconds may read 0, so only each group's total must show the work.
      assert.ok((r.thread_cpu_ms as number) >= 0, `${what}: thread CPU`);
    }
    for (const dataset of ['images', 'tfrecord']) {
      const cpu = rows.filter((r) => r.dataset === dataset && r.cache === 'off').reduce((s, r) => s + (r.thread_cpu_ms as number), 0);
      assert.ok(cpu > 0, `${dataset}: thread CPU of the storage passes`);
    }
  });
});
