import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
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
    await convert({ input: join(ROOT, 'fixtures', 'photos'), out: shards, partitions: 2, size: '64x64' });
    const run = join(dir, 'run');
    const summary = await speedtest({
      tfrecords: shards,
      out: run,
      batchSizes: [8, 16],
      batchNumbers: [5, 10],
      repetitions: [1, 2],
      sweepWorkers: [1, 2, 3, 4],
    });
    assert.equal(summary.rows, 4 * 4 * 2);
    const rows = parse(await readFile(join(run, 'measurements.csv')), { columns: true, cast: true }) as { workers: number; task: number }[];
    assert.deepEqual([...new Set(rows.map((r) => r.workers))], [1, 2, 3, 4]);
    assert.equal(new Set(rows.map((r) => r.task)).size, 16, 'task ids are unique across settings');

    const cli = await runCli(['recommend', run, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const rec = JSON.parse(cli.stdout);
    assert.deepEqual(rec.measured.map((p: { workers: number }) => p.workers), [1, 2, 3, 4]);
    // Four counts: Amdahl (2 parameters) and USL (3) are checked on held-out points; Ernest (4) cannot be.
    const loo = Object.fromEntries(rec.fit.models.map((m: { model: string; looError: number | null }) => [m.model, m.looError]));
    assert.equal(loo.ernest, null);
    assert.ok(loo.amdahl > 0 && loo.usl > 0, JSON.stringify(loo));
    // A real, noisy sweep: the answer uses a model only if it predicts held-out points within 25%.
    if (rec.basis === 'model') {
      assert.ok(rec.fit.looError <= 0.25);
      assert.equal(rec.candidates.length, 8, '1 to twice the largest measured');
    } else {
      assert.match(rec.notes.join(' '), /no model predicts its held-out points within 25%/);
      assert.equal(rec.candidates.length, 4);
      assert.equal(rec.recommended.measured, true);
    }
    const three = JSON.parse((await runCli(['recommend', run, '--candidates', '1,2,3', '--model', 'usl', '--json'])).stdout);
    assert.deepEqual(three.candidates.map((c: { workers: number }) => c.workers), [1, 2, 3]);
    assert.equal(rec.fit.cores, cpus().length, 'the measured machine\'s cores, from run.json');
    if (cpus().length < 4) assert.match(rec.notes.join(' '), new RegExp(`measured worker counts [0-9, ]*4 exceed the ${cpus().length} cores`));
    const human = await runCli(['recommend', run, '--goal', 'cost']);
    assert.match(human.stdout, /<- recommended/);

    const result = await report({ run });
    assert.ok(result.charts.includes('scaling'));
    assert.ok((await readdir(join(run, 'charts'))).includes('scaling.svg'));
  });
});

test('recorded workers are real: a request for 1000 threads over 2 jobs records the 2 that ran, and run.json warns', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: join(ROOT, 'fixtures', 'photos'), out: shards, partitions: 2, size: '32x32' });
    const run = join(dir, 'run');
    const cli = await runCli(['speedtest', '--tfrecords', shards, '--out', run, '--batch-sizes', '4,8', '--batch-numbers', '2', '--repetitions', '1', '--partitions', '2', '--workers', '1000', '--quiet']);
    assert.equal(cli.code, 0, cli.stderr);
    const rows = parse(await readFile(join(run, 'measurements.csv')), { columns: true, cast: true }) as { workers: number }[];
    assert.deepEqual([...new Set(rows.map((r) => r.workers))], [2], 'never more workers than threads that ran');
    const info = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    assert.match(info.notes.join(' '), /1000 workers on a machine with \d+ cores/);
    const rec = JSON.parse((await runCli(['recommend', run, '--json'])).stdout);
    assert.deepEqual(rec.measured.map((p: { workers: number }) => p.workers), [2], 'recommend never sees 1000 as measured');
  });
});
