import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { MEASUREMENTS, type ColumnType } from '../../src/run-folder/files.js';
import { INTERRUPTED_KEY } from '../../src/run-folder/load-run.js';
import { toArrow } from '../../src/run-folder/tables.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const base = mkdtempSync(join(tmpdir(), 'pipeline-checked-'));
const RUN = join(base, 'run');

before(async () => {
  await convert({ input: join(ROOT, 'fixtures', 'photos'), out: join(base, 'shards'), partitions: 2, size: '32x32' });
  await speedtest({ tfrecords: join(base, 'shards'), out: RUN, batchSizes: [4, 8, 16], batchNumbers: [2], repetitions: [1], warmup: 0, workers: 1 });
});

async function rows(run: string): Promise<Record<string, unknown>[]> {
  return tableFromIPC(await readFile(join(run, 'measurements.arrow'))).toArray().map((r) => r.toJSON());
}

test('measurements.arrow with NaN, Infinity, a negative rate or text in a numeric column: exit 3 naming the row and column', async () => {
  await withTempDir(async (dir) => {
    const cases: [string, unknown, ColumnType | undefined][] = [
      ['images_per_second', NaN, undefined],
      ['images_per_second', Infinity, undefined],
      ['seconds', -1, undefined],
      ['images_per_second', 'fast', 'string'],
    ];
    for (const [i, [column, value, type]] of cases.entries()) {
      const run = join(dir, `run-${i}`);
      await cp(RUN, run, { recursive: true });
      const table = await rows(run);
      table[1][column] = value;
      await writeFile(join(run, 'measurements.arrow'), await toArrow(table, { ...MEASUREMENTS.columns, ...(type ? { [column]: type } : {}) }));
      for (const command of [['report', run], ['compare', RUN, run]]) {
        const r = await runCli(command);
        assert.equal(r.code, 3, `${command[0]} ${column}=${String(value)}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`measurements\\.arrow: row [12]: ${column} must be`));
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    }
  });
});

test('report keeps the "interrupted" warning when run.json is deleted, and says run.json is missing', async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, 'run');
    await cp(RUN, run, { recursive: true });
    // An interrupted run, as speedtest writes it: the flag in run.json and in measurements.arrow's metadata.
    const info = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    await writeFile(join(run, 'run.json'), JSON.stringify({ ...info, interrupted: true }));
    await writeFile(join(run, 'measurements.arrow'), await toArrow(await rows(run), MEASUREMENTS.columns, { [INTERRUPTED_KEY]: 'true' }));
    await rm(join(run, 'run.json'));
    const r = await runCli(['report', run]);
    assert.equal(r.code, 0, r.stderr);
    const summary = await readFile(join(run, 'summary.md'), 'utf8');
    assert.match(summary, /This run was interrupted/);
    assert.match(summary, /run\.json is missing/);
    // A complete run's Arrow file says it was not interrupted.
    assert.equal(tableFromIPC(await readFile(join(RUN, 'measurements.arrow'))).schema.metadata.get(INTERRUPTED_KEY), 'false');
  });
});
