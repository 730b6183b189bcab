import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { report } from '../../src/report/report.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { inspect } from '../../src/inspect/inspect.js';
import { biggerDataset, ROOT, runChecker, runCli, waitFor, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const SMALL = ['--size', '32x32'];

const records = (name: string) => /^part-\d+-of-\d+\.tfrecord$/.test(name);

test('a second convert with other --partitions: exit 2 without a flag; --resume and --overwrite leave only the new shards', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    assert.equal((await runCli(['convert', PHOTOS, '--out', out, '--partitions', '4', ...SMALL])).code, 0);
    const again = await runCli(['convert', PHOTOS, '--out', out, '--partitions', '3', ...SMALL]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /holds an earlier convert run: add --resume to continue it or --overwrite to replace it/);
    assert.equal((await readdir(out)).filter(records).length, 4, 'the refused run touched nothing');

    for (const flag of ['--resume', '--overwrite']) {
      const partitions = flag === '--resume' ? '3' : '2';
      const run = await runCli(['convert', PHOTOS, '--out', out, '--partitions', partitions, ...SMALL, flag]);
      assert.equal(run.code, 0, run.stderr);
      const names = (await readdir(out)).sort();
      assert.deepEqual(names.filter((n) => n.startsWith('part-')), Array.from({ length: Number(partitions) }, (_, i) => [`part-0000${i}-of-0000${partitions}.idx`, `part-0000${i}-of-0000${partitions}.tfrecord`]).flat());
      const inspected = await inspect({ target: out, verify: true });
      assert.equal(inspected.records, 100);
      assert.deepEqual(inspected.errors, []);
    }
  });
});

test('two converts into one folder at once: the second exits 2 naming the first; the first output is complete and verifies', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 4);
    const out = join(dir, 'out');
    const first = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, '--partitions', '4', '--workers', '1', '--quiet'], { stdio: 'ignore' });
    await waitFor(async () => (await readdir(out).catch(() => [] as string[])).includes('.pipeline.lock'));
    // Paused while the second starts: a fast convert must not finish (and free the lock) before the
    // second has even loaded on a busy machine.
    first.kill('SIGSTOP');
    const second = await runCli(['convert', input, '--out', out, '--partitions', '3', '--size', '64x64']).finally(() => first.kill('SIGCONT'));
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`is in use by convert run [0-9a-f-]+ \\(pid ${first.pid} on ${hostname()}`));
    const [code] = await once(first, 'exit');
    assert.equal(code, 0);
    const names = await readdir(out);
    assert.ok(!names.includes('.pipeline.lock'), 'the lock is released');
    const shards = names.filter(records).sort();
    assert.equal(shards.length, 4);
    const checked = await runChecker(['check', ...shards.map((n) => join(out, n))]);
    assert.equal(checked.code, 0);
    assert.equal(checked.json.records, 400);
  });
});

test('a lock left by a dead process is taken over', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await mkdir(out);
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    await writeFile(join(out, '.pipeline.lock'), JSON.stringify({ runId: 'old', command: 'convert', pid: dead.pid, host: hostname(), started: new Date(0).toISOString() }));
    await writeFile(join(out, 'part-00000-of-00001.tfrecord.tmp-x-1'), 'half a shard');
    const result = await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    assert.equal(result.records, 100);
    assert.deepEqual((await readdir(out)).filter((n) => n.startsWith('.') || n.includes('.tmp-')), []);
  });
});

test('empty and root-ish --out values are usage errors (exit 2)', async () => {
  for (const out of ['', '  ', '/']) {
    const result = await runCli(['convert', PHOTOS, '--out', out]);
    assert.equal(result.code, 2, `--out ${JSON.stringify(out)}: ${result.stderr}`);
    assert.match(result.stderr, /--out: expected a folder/);
  }
  const speed = await runCli(['speedtest', '--images', PHOTOS, '--out', '']);
  assert.equal(speed.code, 2);
});

test('a folder with other files is refused, even with --overwrite; --overwrite removes only the old run files', async () => {
  await withTempDir(async (dir) => {
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    for (const flag of [[], ['--overwrite'], ['--resume']]) {
      const result = await runCli(['convert', PHOTOS, '--out', foreign, ...SMALL, ...flag]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /holds files that are not a convert run's \(notes\.txt\): choose a new or empty folder/);
    }
    assert.deepEqual(await readdir(foreign), ['notes.txt']);

    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    await writeFile(join(out, 'notes.txt'), 'mine');
    await convert({ input: PHOTOS, out, partitions: 1, size: '32x32', overwrite: true });
    assert.deepEqual((await readdir(out)).sort(), ['convert-run', 'labels.txt', 'manifest.json', 'notes.txt', 'part-00000-of-00001.idx', 'part-00000-of-00001.tfrecord', 'skipped.csv']);
    assert.equal(await readFile(join(out, 'notes.txt'), 'utf8'), 'mine');
  });
});

test('speedtest into an earlier run folder: exit 2 without --overwrite; with it, no stale report is left', async () => {
  await withTempDir(async (dir) => {
    const shards = join(dir, 'shards');
    await convert({ input: PHOTOS, out: shards, partitions: 2, size: '32x32' });
    const run = join(dir, 'run');
    const grid = { tfrecords: shards, batchSizes: [4], batchNumbers: [2], repetitions: [1], warmup: 0, workers: 1 };
    await speedtest({ ...grid, out: run, cache: 'both' });
    await report({ run });
    assert.ok((await readdir(run)).includes('report.html'));

    const cli = await runCli(['speedtest', '--tfrecords', shards, '--out', run, '--batch-sizes', '4', '--batch-numbers', '2', '--repetitions', '1']);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /holds an earlier speedtest run: add --overwrite/);
    const into = await runCli(['speedtest', '--tfrecords', shards, '--out', shards]);
    assert.equal(into.code, 2);
    assert.match(into.stderr, /holds an earlier convert run: choose a new or empty folder/);

    await writeFile(join(run, 'my-notes.md'), 'kept');
    await speedtest({ ...grid, out: run, overwrite: true });
    const names = (await readdir(run)).sort();
    for (const stale of ['report.html', 'summary.md', 'charts', 'regression.csv']) assert.ok(!names.includes(stale), `${stale} removed`);
    assert.ok(names.includes('my-notes.md'));
    assert.ok(names.includes('measurements.arrow'));
  });
});

test('--split: a rerun with other --partitions and --resume leaves only the new shards in each split folder', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const first = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.5,test=0.5', '--partitions', '2', ...SMALL]);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.5,test=0.5', '--partitions', '1', ...SMALL, '--resume']);
    assert.equal(again.code, 0, again.stderr);
    for (const split of ['train', 'test']) {
      const shards = (await readdir(join(out, split))).filter((n) => n.includes('.tfrecord-') && !n.endsWith('.idx')).sort();
      assert.deepEqual(shards, [`photos-${split}.tfrecord-00000-of-00001`], split);
    }
    const inspected = await inspect({ target: join(out, 'train'), verify: true });
    assert.deepEqual(inspected.errors, []);
  });
});

test('--split: other files in the root are refused; split folders a new --split does not name need --overwrite', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    assert.equal((await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.5,val=0.25,test=0.25', ...SMALL])).code, 0);
    const fewer = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.8,val=0.2', ...SMALL, '--resume']);
    assert.equal(fewer.code, 2);
    assert.match(fewer.stderr, /split folder\(s\) of an earlier run that this --split does not name \(test\): add --overwrite/);
    const replaced = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.8,val=0.2', ...SMALL, '--overwrite']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['train', 'val']);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const foreign = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.8,val=0.2', ...SMALL, '--overwrite']);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /holds "notes\.txt", which is not a split of a convert run/);
  });
});
