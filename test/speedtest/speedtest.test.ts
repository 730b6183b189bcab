import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, withTempDir } from '../helpers.js';
import { startHeld } from '../handshake.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const shared = mkdtempSync(join(tmpdir(), 'pipeline-speedtest-'));
const SHARDS = join(shared, 'shards');

before(async () => {
  await convert({ input: PHOTOS, out: SHARDS, partitions: 4, size: '96x96' });
});

const readCsv = async (path: string) => parse(await readFile(path), { columns: true, cast: true }) as Record<string, string | number>[];

test('a speed test writes every run file; rows = datasets x caches x batch sizes x batch numbers x repetitions', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'run');
    const summary = await speedtest({ images: PHOTOS, tfrecords: SHARDS, out, cache: 'both', batchSizes: [4, 8], batchNumbers: [5, 20], repetitions: [1, 2, 3], workers: 2 });
    assert.equal(summary.rows, 2 * 2 * 2 * 2 * 3);
    assert.deepEqual((await readdir(out)).sort(), ['alarms.csv', 'hosts.arrow', 'hosts.csv', 'measurements.arrow', 'measurements.csv', 'problems.csv', 'resources.arrow', 'resources.csv', 'run.json', 'tasks.csv']);
    const rows = await readCsv(join(out, 'measurements.csv'));
    assert.equal(rows.length, 48);
    for (const r of rows) {
      assert.equal(r.data_size, (r.batch_size as number) * (r.batch_number as number));
      assert.ok((r.images as number) <= (r.data_size as number), 'never more than asked');
      assert.equal(r.images, r.data_size, 'the dataset is read again (epochs) until the pass is full');
      assert.ok(Math.abs((r.images_per_second as number) - (r.images as number) / (r.seconds as number)) < 1e-6 * (r.images_per_second as number));
      assert.equal(r.epochs, Math.ceil((r.data_size as number) / 100));
      assert.ok([0, 1].includes(r.worker as number));
      assert.equal(r.workers, 2);
    }
    // 80 images a pass from a 100-image dataset: one epoch; 160: two, and the run says so.
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.match(run.notes.join('\n'), /fewer than the largest pass \(160\)/);
    assert.equal(run.interrupted, false);
    assert.equal(run.cpu.cores > 0, true);
    assert.deepEqual(run.options.size, { width: 96, height: 96 });

    // Cached passes (served from memory after the warm-up filled the cache) beat uncached ones.
    for (const dataset of ['images', 'tfrecord']) {
      const speed = (cache: string) =>
        rows
          .filter((r) => r.dataset === dataset && r.cache === cache)
          .map((r) => r.images_per_second as number)
          .sort((a, b) => a - b)[6];
      assert.ok(speed('on') > 2 * speed('off'), `${dataset}: cached ${speed('on')} vs uncached ${speed('off')}`);
      assert.ok(rows.filter((r) => r.dataset === dataset && r.cache === 'on').every((r) => r.cached_images === r.images));
    }
    assert.ok(summary.cachedVsUncached.images! > 2);
    assert.ok(summary.tfrecordVsImages.off! > 1, 'TFRecords of stored-size JPEGs read faster than image files');

    // The Arrow file loads in Arrow and holds exactly the CSV's values.
    const table = tableFromIPC(await readFile(join(out, 'measurements.arrow')));
    assert.equal(table.numRows, rows.length);
    const arrowRows = table.toArray().map((r) => r.toJSON());
    arrowRows.forEach((a, i) => {
      for (const key of Object.keys(rows[i])) assert.equal(String(a[key]), String(rows[i][key]), `${key} of row ${i}`);
    });

    const resources = await readCsv(join(out, 'resources.csv'));
    assert.ok(resources.length >= 2);
    assert.ok('cpu_worker_0' in resources[0] && 'cpu_worker_1' in resources[0] && 'rss_bytes' in resources[0]);
    assert.ok(resources.some((r) => (r.cpu_process as number) > 50), 'the run kept a core busy');
    const resourcesArrow = tableFromIPC(await readFile(join(out, 'resources.arrow')));
    assert.equal(resourcesArrow.numRows, resources.length);
    const tasks = await readCsv(join(out, 'tasks.csv'));
    assert.equal(tasks.length, 16);
    // Local run: every task ran on this host (hosts.csv's name for it).
    const hostNames = new Set((await readCsv(join(out, 'hosts.csv'))).map((h) => h.host));
    assert.ok(tasks.every((t) => hostNames.has(t.host as string)), 'tasks name their host');
  });
});

test('a corrupt shard and an unreadable image are reported in the run folder and counted, not a crash', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await mkdir(shards);
    for (const e of await readdir(SHARDS, { withFileTypes: true })) if (e.isFile()) await copyFile(join(SHARDS, e.name), join(shards, e.name));
    const victim = join(shards, 'part-00001-of-00004.tfrecord');
    const bytes = await readFile(victim);
    bytes[500] ^= 0xff; // inside record 0's data: its CRC fails
    await writeFile(victim, bytes);
    const images = join(dir, 'images');
    await mkdir(join(images, 'a'), { recursive: true });
    await copyFile(join(PHOTOS, 'flowers', 'flowers-000.jpg'), join(images, 'a', 'good.jpg'));
    await writeFile(join(images, 'a', 'broken.jpg'), 'not a jpeg');
    const out = join(dir, 'run');
    // Half the image files are broken: over the default --max-problems (1%), so allowed here by count.
    const summary = await speedtest({
      images,
      tfrecords: shards,
      out,
      batchSizes: [4],
      batchNumbers: [10],
      repetitions: [1],
      workers: 1,
      maxProblems: { count: 2 },
    });
    assert.equal(summary.problems, 2);
    const problems = await readCsv(join(out, 'problems.csv'));
    assert.ok(problems.some((p) => String(p.source).endsWith('part-00001-of-00004.tfrecord') && p.error === 'data crc mismatch'));
    assert.ok(problems.some((p) => String(p.source).endsWith('broken.jpg') && /cannot decode/.test(String(p.error))));
    const rows = await readCsv(join(out, 'measurements.csv'));
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.images === 40), 'good images fill the passes');
  });
});

test('records whose CRC fails are failed reads: 4 corrupt records of 100 exceed the default --max-problems (1%) and exit 3', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await mkdir(shards);
    for (const e of await readdir(SHARDS, { withFileTypes: true })) if (e.isFile()) await copyFile(join(SHARDS, e.name), join(shards, e.name));
    for (const name of (await readdir(shards)).filter((f) => f.endsWith('.tfrecord'))) {
      const bytes = await readFile(join(shards, name));
      bytes[500] ^= 0xff; // inside record 0's data: its CRC fails, the reader drops the record
      await writeFile(join(shards, name), bytes);
    }
    const out = join(dir, 'run');
    await assert.rejects(
      speedtest({ tfrecords: shards, out, batchSizes: [4], batchNumbers: [25], repetitions: [1], warmup: 0, workers: 1 }),
      (error: { code?: string; message: string }) => error.code === 'DATA' && /reads failed/.test(error.message) && /data crc mismatch/.test(error.message),
    );
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.ok(run.problems.count >= 4);
  });
});

test('SIGINT leaves a valid partial run folder: rows so far, run.json saying it was interrupted, exit 130', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'run');
    // Each worker thread holds at its 200th image (the first task reads 160): SIGINT certainly lands midway.
    const run = startHeld(['speedtest', '--images', PHOTOS, '--tfrecords', SHARDS, '--out', out, '--batch-sizes', '4,8,16,32', '--batch-numbers', '10,20,40', '--workers', '2', '--quiet'], 200);
    await run.held;
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
    const info = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    assert.equal(info.interrupted, true);
    const rows = await readCsv(join(out, 'measurements.csv'));
    assert.equal(tableFromIPC(await readFile(join(out, 'measurements.arrow'))).numRows, rows.length);
    assert.ok(rows.length < 2 * 4 * 3 * 3);
  });
});
