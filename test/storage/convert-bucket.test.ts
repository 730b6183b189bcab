import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { ROOT, withTempDir } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { getObject, listKeys, uploadFolder } from './helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const OPTIONS = { partitions: 3, size: '64x64' } as const;

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

/** Shard and index files of a local convert, name -> bytes. */
async function localShards(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir)).filter((n) => /^part-.*\.(tfrecord|idx)$/.test(n)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
}

async function bucketShards(bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const names = (await listKeys(gateway, bucket, prefix)).filter((n) => /^part-.*\.(tfrecord|idx)$/.test(n));
  return new Map(await Promise.all(names.map(async (n) => [n, await getObject(gateway, bucket, prefix + n)] as const)));
}

test('bucket -> bucket, local -> bucket and bucket -> local give the local convert\'s bytes, on any worker count; the manifest is the commit', async () => {
  await withTempDir(async (dir) => {
    const local = join(dir, 'local');
    await convert({ input: PHOTOS, out: local, workers: 2, ...OPTIONS });
    const expected = await localShards(local);
    assert.equal(expected.size, 6);

    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, PHOTOS, 'photos/');
    const b2b = await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/out-b2b`, workers: 1, ...OPTIONS });
    assert.equal(b2b.out, `s3://${bucket}/out-b2b`);
    assert.equal(b2b.records, (JSON.parse(await readFile(join(local, 'manifest.json'), 'utf8')) as { totals: { records: number } }).totals.records);
    assert.deepEqual(await bucketShards(bucket, 'out-b2b/'), expected);

    await convert({ input: PHOTOS, out: `s3://${bucket}/out-l2b/`, workers: 2, ...OPTIONS });
    assert.deepEqual(await bucketShards(bucket, 'out-l2b/'), expected);

    const b2l = join(dir, 'b2l');
    await convert({ input: `s3://${bucket}/photos/`, out: b2l, workers: 2, ...OPTIONS });
    assert.deepEqual(await localShards(b2l), expected);

    // The finished prefix: shards, indexes, labels, skipped list, convert-run/, manifest; no part records, no lock.
    const keys = await listKeys(gateway, bucket, 'out-b2b/');
    assert.ok(keys.includes('manifest.json') && keys.includes('labels.txt') && keys.includes('skipped.csv') && keys.includes('convert-run/run.json'), keys.join(' '));
    assert.ok(!keys.some((k) => k.startsWith('_parts/') || k === '.pipeline.lock'), keys.join(' '));
    const manifest = JSON.parse((await getObject(gateway, bucket, 'out-b2b/manifest.json')).toString());
    const localManifest = JSON.parse(await readFile(join(local, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.shards.map((s: { sha256: string }) => s.sha256), localManifest.shards.map((s: { sha256: string }) => s.sha256));
    assert.equal(await getObject(gateway, bucket, 'out-b2b/labels.txt').then(String), await readFile(join(local, 'labels.txt'), 'utf8'));
  });
});

test('an image list may hold URLs: each object read from the bucket, a missing one skipped with its line', async () => {
  await withTempDir(async (dir) => {
    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'f/');
    const names = (await listKeys(gateway, bucket, 'f/')).filter((n) => n.endsWith('.jpg')).slice(0, 3);
    const list = join(dir, 'list.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(list, ['path,label', ...names.map((n, i) => `s3://${bucket}/f/${n},${i % 2 ? 'odd' : 'even'}`), `s3://${bucket}/f/missing.jpg,odd`].join('\n') + '\n');
    const result = await convert({ input: list, out: join(dir, 'out'), size: '16x16', partitions: 1 });
    assert.equal(result.records, 3);
    assert.equal(result.skipped, 1);
    assert.match(await readFile(join(dir, 'out', 'skipped.csv'), 'utf8'), /missing\.jpg,missing \(listed on line 5\)/);
  });
});

test('convert --split into a bucket: one committed prefix per split, with the local split convert\'s bytes; --resume continues each', async () => {
  await withTempDir(async (dir) => {
    const split = 'train=0.6,val=0.4';
    const local = join(dir, 'local');
    await convert({ input: PHOTOS, out: local, split, ...OPTIONS });
    const bucket = await freshBucket(gateway);
    const result = await convert({ input: PHOTOS, out: `s3://${bucket}/splits/`, split, ...OPTIONS });
    assert.deepEqual(Object.keys(result.splits ?? {}).sort(), ['train', 'val']);
    assert.equal(result.out, `s3://${bucket}/splits/`);
    for (const name of ['train', 'val']) {
      const files = (await readdir(join(local, name))).filter((n) => /\.(tfrecord|idx)(-|$)|tfrecord-\d/.test(n)).sort();
      assert.ok(files.length >= 2, files.join(' '));
      const keys = await listKeys(gateway, bucket, `splits/${name}/`);
      assert.ok(keys.includes('manifest.json') && !keys.some((k) => k.startsWith('_parts/')), keys.join(' '));
      for (const file of files) assert.deepEqual(await getObject(gateway, bucket, `splits/${name}/${file}`), await readFile(join(local, name, file)), file);
      assert.equal(result.splits![name].out, `s3://${bucket}/splits/${name}`);
    }
    // Each split prefix holds a finished run: a second convert needs --resume, which keeps every shard.
    await assert.rejects(convert({ input: PHOTOS, out: `s3://${bucket}/splits`, split, ...OPTIONS }), { code: 'USAGE' });
    const again = await convert({ input: PHOTOS, out: `s3://${bucket}/splits`, split, resume: true, ...OPTIONS });
    assert.equal(again.resumed, again.shards);
  });
});

test('convert reports its requests to object storage (workers\' GETs and PUTs, the driver\'s LISTs) in its result, --json and convert-run/run.json; a local convert none', async () => {
  await withTempDir(async (dir) => {
    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'photos/flowers/');
    const result = await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/out`, workers: 2, ...OPTIONS });
    const s = result.objectStorage!;
    assert.ok(s, 'objectStorage in the result');
    // Every image object read once by a worker thread; each shard and its index PUT by one, plus the driver's objects.
    assert.ok(s.get >= result.records, `get ${s.get} for ${result.records} images`);
    assert.ok(s.put >= 2 * result.shards + 3, `put ${s.put}`);
    assert.ok(s.list >= 2, `list ${s.list}`);
    assert.equal(s.failed, 0);
    assert.ok(s.ttfb_p50_ms !== null && s.ttfb_samples >= result.records);
    assert.ok(s.cost.dollars > 0);
    const runJson = JSON.parse((await getObject(gateway, bucket, 'out/convert-run/run.json')).toString());
    assert.ok(runJson.objectStorage.get >= result.records, JSON.stringify(runJson.objectStorage));

    const { runCli } = await import('../helpers.js');
    const cli = await runCli(['convert', `s3://${bucket}/photos`, '--out', `s3://${bucket}/out2`, '--partitions', '2', '--size', '16x16', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(JSON.parse(cli.stdout).objectStorage.get >= result.records);

    const local = await convert({ input: PHOTOS, out: join(dir, 'local'), partitions: 1, size: '16x16' });
    assert.equal(local.objectStorage, undefined);
  });
});
