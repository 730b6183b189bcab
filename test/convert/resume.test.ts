import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { convert } from '../../src/convert/convert.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** An uncompressed PNG: its size depends on the dimensions only, so two colours give two images of one size. */
const flat = (r: number, g: number, b: number) =>
  sharp({ create: { width: 40, height: 40, channels: 3, background: { r, g, b } } })
    .png({ compressionLevel: 0 })
    .toBuffer();

test('an input edited in place with the same size (mtime set back): --resume rebuilds its shard', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    await mkdir(join(input, 'b'), { recursive: true });
    const red = await flat(255, 0, 0);
    const blue = await flat(0, 0, 255);
    assert.equal(red.length, blue.length);
    await writeFile(join(input, 'a', 'one.png'), red);
    await writeFile(join(input, 'b', 'two.png'), red);
    const out = join(dir, 'out');
    await convert({ input, out, partitions: 2, size: '8x8', format: 'png' });

    const edited = join(input, 'b', 'two.png');
    const before = await stat(edited, { bigint: true });
    await writeFile(edited, blue);
    // The modification time set back to the nanosecond: only the change time tells.
    const ns = before.mtimeNs;
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, edited]);
    assert.equal((await stat(edited, { bigint: true })).mtimeNs, ns);

    const result = await convert({ input, out, partitions: 2, size: '8x8', format: 'png', resume: true });
    assert.equal(result.resumed, 1, 'the untouched shard is kept, the edited one redone');
    const records = [];
    for await (const r of readRecordsFromFiles([join(out, 'part-00001-of-00002.tfrecord')])) records.push(decodeExample(r.data));
    const { data } = await sharp(Buffer.from((records[0].image as { bytes: Uint8Array[] }).bytes[0])).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[2] > 200 && data[0] < 50, `the stored image is the new, blue one: ${[...data.subarray(0, 3)]}`);
  });
});

test('a wrong .idx: inspect --verify exits 3 naming the file and the first wrong line; --resume rebuilds it', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    const index = join(out, 'part-00001-of-00002.idx');
    const good = await readFile(index, 'utf8');
    const lines = good.split('\n');
    lines[2] = lines[2].replace(/ (\d+)$/, (_m, n) => ` ${Number(n) + 1}`);
    await writeFile(index, lines.join('\n'));

    const inspected = await runCli(['inspect', out, '--verify', '--json']);
    assert.equal(inspected.code, 3, inspected.stderr);
    const json = JSON.parse(inspected.stdout);
    assert.equal(json.errors.length, 1);
    assert.equal(json.errors[0].file, index);
    assert.match(json.errors[0].error, /^index line 3: expected "\d+ \d+" for record 2, got "\d+ \d+"$/);
    const human = await runCli(['inspect', out, '--verify']);
    assert.match(human.stdout, /part-00001-of-00002\.idx: record 2 at offset 0: index line 3/);

    // One line missing is found too.
    await writeFile(index, good.split('\n').slice(0, -2).join('\n') + '\n');
    const short = JSON.parse((await runCli(['inspect', out, '--verify', '--json'])).stdout);
    assert.match(short.errors[0].error, /^index line \d+: missing/);

    const result = await convert({ input: PHOTOS, out, partitions: 2, size: '32x32', resume: true });
    assert.equal(result.resumed, 1);
    assert.equal(await readFile(index, 'utf8'), good);
    assert.equal((await runCli(['inspect', out, '--verify'])).code, 0);
  });
});

test('an input changed since the last run of a partition: only that shard is redone', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await cp(PHOTOS, input, { recursive: true });
    const out = join(dir, 'out');
    await convert({ input, out, partitions: 4, size: '32x32' });
    await cp(join(PHOTOS, 'water', 'water-000.jpg'), join(input, 'flowers', 'flowers-000.jpg'));
    const result = await convert({ input, out, partitions: 4, size: '32x32', resume: true });
    assert.equal(result.resumed, 3);
  });
});

test('--resume without the first run\'s options says which ones differ (its shards are redone with the new ones)', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '48x48', compression: 'gzip' });
    const again = await convert({ input: PHOTOS, out, partitions: 2, size: '32x32', resume: true });
    const line = again.warnings.find((w) => w.startsWith('--resume:'));
    assert.ok(line, again.warnings.join('\n'));
    assert.match(line, /--size 32x32 \(the run being resumed used 48x48\), --compression none \(the run being resumed used gzip\)/);
    assert.equal(again.resumed, 0);
    const same = await convert({ input: PHOTOS, out, partitions: 2, size: '32x32', resume: true });
    assert.ok(!same.warnings.some((w) => w.startsWith('--resume:')), 'same options: no warning');
    assert.equal(same.resumed, 2);
  });
});
