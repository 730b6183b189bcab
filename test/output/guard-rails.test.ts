import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { loadPipelineFile } from '../../src/pipeline-file/run.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const PHOTO = join(PHOTOS, 'water', 'water-000.jpg');

test('all inputs bad: exit 0 with a warning line that nothing was converted; exit 3 with --strict', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    await writeFile(join(input, 'a', 'empty.jpg'), '');
    await writeFile(join(input, 'a', 'text.jpg'), 'not an image');
    const result = await runCli(['convert', input, '--out', join(dir, 'out'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: nothing was converted: all 2 input\(s\) skipped, listed in .*skipped\.csv$/m);
    const json = JSON.parse(result.stdout);
    assert.equal(json.records, 0);
    assert.equal(json.warnings.length, 1);
    const strict = await runCli(['convert', input, '--out', join(dir, 'strict'), '--strict']);
    assert.equal(strict.code, 3);

    // Class folders without any file: the same warning, no shard.
    const hollow = join(dir, 'hollow');
    await mkdir(join(hollow, 'a'), { recursive: true });
    const none = await runCli(['convert', hollow, '--out', join(dir, 'none')]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /warning: nothing was converted: no input files in the class folders/);
    assert.deepEqual((await readdir(join(dir, 'none'))).filter((n) => n.startsWith('part-')), []);
  });
});

test('--quiet silences stderr only: the result is still printed', async () => {
  await withTempDir(async (dir) => {
    const result = await runCli(['convert', PHOTOS, '--out', join(dir, 'out'), '--size', '16x16', '--quiet']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^records: 100$/m);
  });
});

test('--partitions above the image count: a warning, one shard per image, none empty', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    for (const n of ['1', '2', '3']) await copyFile(PHOTO, join(input, 'a', `${n}.jpg`));
    const messages: string[] = [];
    const result = await convert({ input, out: join(dir, 'out'), partitions: 8, size: '16x16', onInfo: (m) => messages.push(m) });
    assert.equal(result.shards, 3);
    assert.equal(result.records, 3);
    assert.ok(messages.some((m) => /--partitions 8 is more than the 3 input file\(s\): writing 3 shard\(s\), no empty ones/.test(m)), messages.join('\n'));
    assert.deepEqual((await readdir(join(dir, 'out'))).filter((n) => n.endsWith('.tfrecord')), ['part-00000-of-00003.tfrecord', 'part-00001-of-00003.tfrecord', 'part-00002-of-00003.tfrecord']);
  });
});

test('--workers above the cores: a warning, and the threads that really ran are reported', async () => {
  await withTempDir(async (dir) => {
    const many = availableParallelism() + 2;
    const result = await runCli(['convert', PHOTOS, '--out', join(dir, 'out'), '--size', '16x16', '--partitions', String(many + 1), '--workers', String(many), '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`warning: --workers ${many} is more than the ${availableParallelism()} cores`));
    assert.equal(JSON.parse(result.stdout).workers, many);
    const few = await runCli(['convert', PHOTOS, '--out', join(dir, 'few'), '--size', '16x16', '--partitions', '1', '--workers', String(many), '--json']);
    assert.equal(JSON.parse(few.stdout).workers, 1, 'one partition: one thread ran');
  });
});

test('--size above 16384 names the maximum, on the command line and in a pipeline file alike', async () => {
  const cli = await runCli(['convert', PHOTOS, '--out', '/tmp/never-written', '--size', '20000x100']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /--size: expected WxH with each side from 1 to 16384 \(the maximum\), got "20000x100"/);
  await withTempDir(async (dir) => {
    const file = join(dir, 'big.json');
    await writeFile(file, JSON.stringify({ name: 'x', input: 'in', output: 'out', convert: { size: '99999x1' } }));
    await assert.rejects(loadPipelineFile(file), /convert\.size: expected WxH with each side from 1 to 16384 \(the maximum\), got "99999x1"/);
    const run = await runCli(['run', file]);
    assert.equal(run.code, 2);
    await writeFile(file, JSON.stringify({ name: 'x', input: 'in', output: 'out', convert: { size: '0x10' } }));
    await assert.rejects(loadPipelineFile(file), /convert\.size: expected WxH with each side from 1 to 16384/);
  });
});
