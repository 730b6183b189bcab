import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ObjectStore, resolveEndpoint, GCS_ENDPOINT } from '../../src/storage/object-store.js';
import { RequestStats } from '../../src/storage/request-stats.js';
import { parseStorageUrl } from '../../src/storage/url.js';
import { PipelineError } from '../../src/errors.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { collect, withTempDir } from '../helpers.js';

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

test('URLs: s3:// and gs:// with a bucket and a prefix; malformed ones are usage errors', () => {
  assert.deepEqual(parseStorageUrl('s3://my-bucket/a/b/'), { scheme: 's3', bucket: 'my-bucket', key: 'a/b/' });
  assert.deepEqual(parseStorageUrl('gs://data.example/x'), { scheme: 'gs', bucket: 'data.example', key: 'x' });
  assert.deepEqual(parseStorageUrl('s3://bkt'), { scheme: 's3', bucket: 'bkt', key: '' });
  for (const bad of ['s3://', 's3:///key', 's3://UPPER/x', 's3://a/x']) {
    assert.throws(() => parseStorageUrl(bad), (e: PipelineError) => e.code === 'USAGE', bad);
  }
  assert.equal(resolveEndpoint('gs', {}), process.env.AWS_ENDPOINT_URL ? process.env.AWS_ENDPOINT_URL.replace(/\/$/, '') : GCS_ENDPOINT);
  assert.throws(() => resolveEndpoint('s3', { endpoint: 'http://key:secret@host:1' }), (e: PipelineError) => e.code === 'USAGE' && !e.message.includes('secret'));
});

test('put, get, ranged get, list with pagination, delete, create-if-absent on a real gateway; each request counted', async () => {
  const bucket = await freshBucket(gateway);
  const stats = new RequestStats();
  const store = new ObjectStore('s3', bucket, {}, stats);
  await store.checkBucket();
  const data = randomBytes(100_000);
  await store.put('dir/a b+c/ünï..code', data);
  assert.deepEqual(await store.get('dir/a b+c/ünï..code'), data);
  assert.deepEqual(await store.get('dir/a b+c/ünï..code', { start: 10, end: 20 }), data.subarray(10, 20));
  for (let i = 0; i < 7; i++) await store.put(`many/${i}`, String(i));
  const listed = await collect(store.list('many/', { pageSize: 3 }));
  assert.deepEqual(listed.map((o) => o.key), [0, 1, 2, 3, 4, 5, 6].map((i) => `many/${i}`));
  assert.deepEqual(await store.folders(''), ['dir/', 'many/']);
  assert.equal(await store.createIfAbsent('lock', 'one'), true);
  assert.equal(await store.createIfAbsent('lock', 'two'), false, 'If-None-Match: * refuses a second create');
  assert.equal(await store.getText('lock'), 'one');
  await store.delete('lock');
  assert.equal(await store.head('lock'), undefined);
  assert.equal(await store.getText('lock'), undefined);
  const s = stats.summary();
  assert.equal(s.list, 3 + 1);
  assert.ok(s.get >= 4 && s.put >= 10 && s.delete === 1, JSON.stringify(s));
  assert.ok(s.ttfb_p50_ms !== null && s.ttfb_p99_ms! >= s.ttfb_p50_ms!);
});

test('a large file goes up in a multipart upload and comes back whole; no upload is left open', async () => {
  const bucket = await freshBucket(gateway);
  const store = new ObjectStore('s3', bucket, {}, new RequestStats());
  await withTempDir(async (dir) => {
    const data = randomBytes(20 << 20);
    await writeFile(join(dir, 'big'), data);
    await store.putFile('big', join(dir, 'big'));
    assert.equal((await store.head('big'))?.size, data.length);
    assert.ok((await store.get('big')).equals(data));
    assert.equal(await store.abortUploads(''), 0);
  });
});

test('errors: a missing bucket exit 3 naming it, wrong keys exit 2, access denied exit 3, endpoint down exit 3; no secret in any message', async () => {
  const bucket = await freshBucket(gateway);
  const missing = new ObjectStore('s3', 'no-such-bucket-here', {}, new RequestStats());
  await assert.rejects(missing.checkBucket(), (e: PipelineError) => e.code === 'STORAGE' && e.message.includes('no-such-bucket-here'));
  await assert.rejects(collect(missing.list('')), (e: PipelineError) => e.code === 'STORAGE' && e.message.includes('no-such-bucket-here'));
  const wrong = new ObjectStore('s3', bucket, {}, new RequestStats(), { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'wrong-secret-value-123' });
  await assert.rejects(collect(wrong.list('')), (e: PipelineError) => e.code === 'USAGE' && /SignatureDoesNotMatch/.test(e.message) && !e.message.includes('wrong-secret-value-123'));
  const unknown = new ObjectStore('s3', bucket, {}, new RequestStats(), { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'x' });
  await assert.rejects(collect(unknown.list('')), (e: PipelineError) => e.code === 'USAGE' && /InvalidAccessKeyId/.test(e.message));
  assert.ok(gateway.other, 'the gateway script makes a second user');
  const denied = new ObjectStore('s3', bucket, {}, new RequestStats(), gateway.other);
  await assert.rejects(collect(denied.list('')), (e: PipelineError) => e.code === 'STORAGE' && /access denied/.test(e.message) && e.message.includes(bucket) && !e.message.includes(gateway.other!.secretAccessKey));
  const stats = new RequestStats();
  const down = new ObjectStore('s3', bucket, { endpoint: 'http://127.0.0.1:1' }, stats);
  await assert.rejects(collect(down.list('')), (e: PipelineError) => e.code === 'STORAGE' && /cannot reach/.test(e.message));
  assert.equal(stats.counts.retries, 4, 'each retry counted');
});
