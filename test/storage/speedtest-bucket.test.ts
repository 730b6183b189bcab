import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { inspect } from '../../src/inspect/inspect.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { uploadFolder } from './helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

test('speedtest --images s3:// --tfrecords s3://: images and records delivered, requests, time to first byte and cost in run.json; inspect s3:// --verify', async () => {
  await withTempDir(async (dir) => {
    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, PHOTOS, 'photos/');
    await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/shards`, partitions: 2, size: '32x32', workers: 2 });

    const checked = await inspect({ target: `s3://${bucket}/shards`, verify: true });
    assert.equal(checked.files, 2);
    assert.equal(checked.errors.length, 0);
    const cli = await runCli(['inspect', `s3://${bucket}/shards/`, '--verify', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).records, checked.records);

    const out = join(dir, 'run');
    const result = await speedtest({
      images: `s3://${bucket}/photos`, tfrecords: `s3://${bucket}/shards`, out, batchSizes: [8], batchNumbers: [4], repetitions: [1, 2], warmup: 0, workers: 2, ioConcurrency: 8,
      pricePer1000Requests: 'get=0.001',
    });
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    const s = run.objectStorage;
    assert.ok(s, 'run.json has the object-storage figures');
    // images: 32 GETs a pass, 2 passes; records: whole-shard streams.
    assert.ok(s.get >= 64, JSON.stringify(s));
    assert.ok(s.list >= 1 && s.ttfb_samples > 0 && s.ttfb_p99_ms >= s.ttfb_p50_ms, JSON.stringify(s));
    assert.equal(s.cost.prices_per_1000.get, 0.001);
    assert.equal(s.cost.prices_per_1000.put, 0.005);
    assert.ok(Math.abs(s.cost.dollars - ((s.get + s.head) * 0.001 + s.put * 0.005 + s.list * 0.005) / 1000) < 1e-12);
    assert.deepEqual(result.objectStorage?.get, s.get);
    const rows = (await readFile(join(out, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => /,32,/.test(r)), 'each pass delivered 32 images');
    assert.ok(!JSON.stringify(run).includes(process.env.AWS_SECRET_ACCESS_KEY!), 'no secret in run.json');
    const { report } = await import('../../src/report/report.js');
    await report({ run: out });
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    assert.match(summary, /## Object storage/);
    assert.ok(summary.includes(`| ${s.get} |`), 'the GET count in summary.md');
  });
});

test('speedtest --out s3://... is refused: run folders stay local', async () => {
  const r = await runCli(['speedtest', '--images', PHOTOS, '--out', 's3://bucket/run']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected a local run folder/);
});

test('a shard object with its .idx: a read from record k is one ranged GET from its offset, the same records as reading up to it', async () => {
  const bucket = await freshBucket(gateway);
  await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'photos/flowers/');
  await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/shards`, partitions: 1, size: '16x16', workers: 1 });
  const { openTfrecordDataset } = await import('../../src/speedtest/tfrecord-dataset.js');
  const { readRecords } = await import('../../src/tfrecord/reader.js');
  const { threadRequestStats } = await import('../../src/storage/object-store.js');
  const dataset = await openTfrecordDataset([`s3://${bucket}/shards`]);
  const shard = dataset.shards[0];
  assert.equal(shard.records, 20);
  assert.equal(shard.offsets?.length, 20, 'the index gave each record\'s offset');
  const all: Buffer[] = [];
  for await (const r of readRecords(shard.path)) all.push(Buffer.from(r.data));
  const before = threadRequestStats.counts.get;
  const tail: Buffer[] = [];
  for await (const r of readRecords(shard.path, { start: shard.offsets![7] })) tail.push(Buffer.from(r.data));
  assert.equal(threadRequestStats.counts.get - before, 1, 'one GET');
  assert.deepEqual(tail, all.slice(7));
});

test('shard objects read one after another: the next shard\'s GET is sent while the current one is read, and a pass stopped early leaves none open', async () => {
  const bucket = await freshBucket(gateway);
  await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'photos/flowers/');
  await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/shards`, partitions: 3, size: '16x16', workers: 1 });
  const { openTfrecordDataset } = await import('../../src/speedtest/tfrecord-dataset.js');
  const { tfrecordSource } = await import('../../src/speedtest/sources.js');
  const { threadRequestStats } = await import('../../src/storage/object-store.js');
  const dataset = await openTfrecordDataset([`s3://${bucket}/shards`]);
  assert.equal(dataset.shards.length, 3);
  const source = tfrecordSource(dataset.shards, (p) => assert.fail(p.error), undefined, { image: dataset.keys.image.key, width: null, height: null });
  const before = threadRequestStats.counts.get;
  let items = 0;
  let getsAtFirst = 0;
  for await (const item of source.from(0)) {
    assert.ok(item.image);
    if (items++ === 0) getsAtFirst = threadRequestStats.counts.get - before;
  }
  assert.equal(items, 20);
  assert.equal(getsAtFirst, 2, 'the first shard\'s GET and the second\'s, sent ahead');
  assert.equal(threadRequestStats.counts.get - before, 3, 'one GET per shard: none sent twice');
  // Stopped after one item: the GET sent ahead is closed, not left holding a socket.
  const again = threadRequestStats.counts.get;
  for await (const _ of source.from(0)) break;
  assert.equal(threadRequestStats.counts.get - again, 2);
});

test('inspect --verify on a bucket checks each shard\'s .idx object line by line, as on disk; without --verify a stale one is a note', async () => {
  const bucket = await freshBucket(gateway);
  await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'photos/flowers/');
  await convert({ input: `s3://${bucket}/photos`, out: `s3://${bucket}/shards`, partitions: 1, size: '16x16', workers: 1 });
  const good = await inspect({ target: `s3://${bucket}/shards`, verify: true });
  assert.deepEqual(good.errors, []);
  const { getObject } = await import('./helpers.js');
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const index = (await getObject(gateway, bucket, 'shards/part-00000-of-00001.idx')).toString().split('\n');
  index[3] = '1 2';
  await gateway.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'shards/part-00000-of-00001.idx', Body: index.join('\n') }));
  const bad = await inspect({ target: `s3://${bucket}/shards`, verify: true });
  assert.equal(bad.errors.length, 1, JSON.stringify(bad.errors));
  assert.equal(bad.errors[0].file, `s3://${bucket}/shards/part-00000-of-00001.idx`);
  assert.match(bad.errors[0].error, /index line 4: expected "\d+ \d+" for record 3, got "1 2"/);
  const cli = await runCli(['inspect', `s3://${bucket}/shards`, '--verify']);
  assert.equal(cli.code, 3, cli.stderr);
  const quick = await inspect({ target: `s3://${bucket}/shards` });
  assert.ok(quick.notes.some((n) => n.includes('part-00000-of-00001.idx ignored')), quick.notes.join('\n'));
});
