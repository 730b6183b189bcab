/**
 * A converted folder's shards are checked against manifest.json by every reader: inspect (size and
 * records; --verify adds the SHA-256) and speedtest (size and records). Emptied, cut, replaced and
 * swapped shards are exit 3 naming the shard; a gzip shard that breaks is never "0 records, 0 problems";
 * --resume derives counts from the shards, never from an edited manifest.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { readIndex } from '../../src/tfrecord/record-index.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const SHARD0 = 'part-00000-of-00002.tfrecord';
const SHARD1 = 'part-00001-of-00002.tfrecord';

async function inspectVerify(out: string) {
  return runCli(['inspect', out, '--verify', '--json']);
}

async function speedtestOf(out: string, run: string) {
  return runCli(['speedtest', '--tfrecords', out, '--out', run, '--batch-sizes', '4', '--batch-numbers', '2', '--repetitions', '1', '--workers', '1']);
}

const damages: [string, (out: string, other: string) => Promise<void>][] = [
  ['emptied to 0 bytes, its .idx removed', async (out) => {
    await truncate(join(out, SHARD1), 0);
    await rm(join(out, 'part-00001-of-00002.idx'));
  }],
  ['cut at a record boundary (its .idx cut too)', async (out) => {
    const index = await readIndex(join(out, 'part-00001-of-00002.idx'));
    await truncate(join(out, SHARD1), index[40].offset);
    await writeFile(join(out, 'part-00001-of-00002.idx'), index.slice(0, 40).map((e) => `${e.offset} ${e.length}\n`).join(''));
  }],
  ['replaced by another run\'s shard', async (out, other) => {
    await copyFile(join(other, SHARD1), join(out, SHARD1));
    await copyFile(join(other, 'part-00001-of-00002.idx'), join(out, 'part-00001-of-00002.idx'));
  }],
  ['swapped with the other shard', async (out) => {
    await rename(join(out, SHARD0), join(out, 'x'));
    await rename(join(out, SHARD1), join(out, SHARD0));
    await rename(join(out, 'x'), join(out, SHARD1));
    await rm(join(out, 'part-00000-of-00002.idx'));
    await rm(join(out, 'part-00001-of-00002.idx'));
  }],
];

for (const [what, damage] of damages) {
  test(`a shard ${what}: inspect --verify exit 3 naming it, speedtest exit 3`, async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'out');
      const other = join(dir, 'other');
      // 100 photos in 2 shards of 50; the other run stores another size (other bytes, the same count).
      await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
      await convert({ input: PHOTOS, out: other, partitions: 2, size: '40x40' });
      await damage(out, other);

      const inspected = await inspectVerify(out);
      assert.equal(inspected.code, 3, inspected.stdout + inspected.stderr);
      const errors = JSON.parse(inspected.stdout).errors as { file: string; error: string }[];
      assert.ok(errors.some((e) => e.file === join(out, SHARD1) && /does not match manifest\.json/.test(e.error)), JSON.stringify(errors));

      const speed = await speedtestOf(out, join(dir, 'run'));
      assert.equal(speed.code, 3, speed.stderr);
      assert.match(speed.stderr, /part-0000[01]-of-00002\.tfrecord: does not match manifest\.json/);
    });
  });
}

test('a gzip shard with one flipped byte: its records are problems, never dropped with problems: 0 (inspect and speedtest exit 3)', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32', compression: 'gzip' });
    const shard = join(out, 'part-00001-of-00002.tfrecord.gz');
    const bytes = await readFile(shard);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(shard, bytes);
    // In a convert output, the shard no longer reads to its end: exit 3 naming it, even when the
    // passes would read only the other shard's records.
    const withManifest = await speedtestOf(out, join(dir, 'run0'));
    assert.equal(withManifest.code, 3, withManifest.stderr);
    assert.match(withManifest.stderr, /part-00001-of-00002\.tfrecord\.gz: does not match manifest\.json: gzip stream/);
    // Without a manifest (a foreign dataset) the reader must see it too.
    const bare = join(dir, 'bare');
    for (const name of ['manifest.json', 'labels.txt', 'skipped.csv', 'convert-run']) await rm(join(out, name), { recursive: true });
    await rename(out, bare);

    const inspected = await inspectVerify(bare);
    assert.equal(inspected.code, 3, inspected.stdout);

    // 100 reads: the whole dataset once, the broken shard's lost records among them.
    const speed = await runCli(['speedtest', '--tfrecords', bare, '--out', join(dir, 'run'), '--batch-sizes', '4', '--batch-numbers', '25', '--repetitions', '1', '--workers', '1']);
    assert.equal(speed.code, 3, `exit ${speed.code}: ${speed.stderr}`);
    assert.match(speed.stderr, /reads failed/);
  });
});

test('an edited manifest (records 50 -> 999) and --resume: the shard is checked against its own records, totals are the real 100', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    manifest.shards[0].records = 999;
    manifest.totals.records = 1049;
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest));
    const resumed = await convert({ input: PHOTOS, out, partitions: 2, size: '32x32', resume: true });
    assert.equal(resumed.records, 100);
    const after = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    assert.equal(after.totals.records, 100);
    assert.deepEqual(after.shards.map((s: { records: number }) => s.records), [50, 50]);
  });
});

test('a damaged manifest.json: inspect and speedtest exit 3 naming it; --resume mends the folder', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 2, size: '32x32' });
    for (const damaged of ['{"tool": {"name": "pipeline"', JSON.stringify({ tool: { name: 'pipeline', version: '0' }, shards: [{ file: '../../etc/passwd' }] })]) {
      await writeFile(join(out, 'manifest.json'), damaged);
      const inspected = await runCli(['inspect', out]);
      assert.equal(inspected.code, 3, inspected.stderr);
      assert.match(inspected.stderr, /manifest\.json: damaged manifest/);
      const speed = await speedtestOf(out, join(dir, 'run'));
      assert.equal(speed.code, 3, speed.stderr);
      assert.match(speed.stderr, /manifest\.json: damaged manifest/);
    }
    const resumed = await runCli(['convert', PHOTOS, '--out', out, '--partitions', '2', '--size', '32x32', '--resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).records, 100);
    assert.match(resumed.stderr, /damaged manifest/);
  });
});
