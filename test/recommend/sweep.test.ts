import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { convert } from '../../src/convert/convert.js';
import { report } from '../../src/report/report.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

test('a --sweep-workers run records every setting; recommend answers from it; the report gains the scaling chart', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: join(ROOT, 'fixtures', 'photos'), out: shards, partitions: 2, width: 64, height: 64 });
    const run = join(dir, 'run');
    const summary = await speedtest({ tfrecords: shards, out: run, batchSizes: [8, 16], batchNumbers: [5, 10], repetitions: [1, 2], sweepWorkers: [1, 2, 3] });
    assert.equal(summary.rows, 3 * 4 * 2);
    const rows = parse(await readFile(join(run, 'measurements.csv')), { columns: true, cast: true }) as { workers: number; task: number }[];
    assert.deepEqual([...new Set(rows.map((r) => r.workers))], [1, 2, 3]);
    assert.equal(new Set(rows.map((r) => r.task)).size, 12, 'task ids are unique across settings');

    const cli = await runCli(['recommend', run, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const rec = JSON.parse(cli.stdout);
    assert.ok([1, 2, 3].includes(rec.recommended.workers));
    assert.deepEqual(rec.measured.map((p: { workers: number }) => p.workers), [1, 2, 3]);
    // Three counts: no model can be checked on held-out points, so none is claimed.
    assert.equal(rec.fit.chosen, null);
    assert.equal(rec.basis, 'table');
    assert.match(rec.notes.join(' '), /3 measured points: no model can be checked/);
    assert.equal(rec.candidates.length, 3);
    assert.equal(rec.recommended.measured, true);
    const human = await runCli(['recommend', run, '--goal', 'cost']);
    assert.match(human.stdout, /<- recommended/);

    const result = await report({ run });
    assert.ok(result.charts.includes('scaling'));
    assert.ok((await readdir(join(run, 'charts'))).includes('scaling.svg'));
  });
});
