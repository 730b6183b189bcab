import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { convert, convertListed } from '../../src/convert/convert.js';
import { scanBucket } from '../../src/dataset/scan-bucket.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { listKeys, uploadFolder } from './helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const SMALL = ['--size', '16x16', '--partitions', '1'];

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

const put = (bucket: string, key: string, body: Buffer | string) => gateway.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

test('a missing bucket: exit 3 naming it (input and output)', async () => {
  const asInput = await runCli(['convert', 's3://no-such-bucket-19/photos', '--out', '/tmp/never-written-19', ...SMALL]);
  assert.equal(asInput.code, 3, asInput.stderr);
  assert.match(asInput.stderr, /bucket no-such-bucket-19 does not exist/);
  const asOutput = await runCli(['convert', PHOTOS, '--out', 's3://no-such-bucket-19/out', ...SMALL]);
  assert.equal(asOutput.code, 3, asOutput.stderr);
  assert.match(asOutput.stderr, /bucket no-such-bucket-19 does not exist/);
});

test('wrong keys: exit 2 (SignatureDoesNotMatch, InvalidAccessKeyId); access denied: exit 3; the secret never printed', async () => {
  const bucket = await freshBucket(gateway);
  const wrongSecret = await runCli(['convert', PHOTOS, '--out', `s3://${bucket}/out`, ...SMALL], { env: { AWS_SECRET_ACCESS_KEY: 'not-the-secret-0123456789' } });
  assert.equal(wrongSecret.code, 2, wrongSecret.stderr);
  assert.match(wrongSecret.stderr, /SignatureDoesNotMatch/);
  assert.ok(!wrongSecret.stderr.includes('not-the-secret-0123456789'));
  const wrongKey = await runCli(['inspect', `s3://${bucket}/out`], { env: { AWS_ACCESS_KEY_ID: 'NOSUCHKEY19' } });
  assert.equal(wrongKey.code, 2, wrongKey.stderr);
  assert.match(wrongKey.stderr, /InvalidAccessKeyId/);
  const other = gateway.other!;
  const denied = await runCli(['convert', PHOTOS, '--out', `s3://${bucket}/out`, ...SMALL], { env: { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey } });
  assert.equal(denied.code, 3, denied.stderr);
  assert.match(denied.stderr, new RegExp(`access denied to bucket ${bucket}`));
  assert.ok(!denied.stderr.includes(other.secretAccessKey) && !denied.stderr.includes(process.env.AWS_SECRET_ACCESS_KEY!));
});

test('a prefix with no images: exit 3; an empty class prefix list: exit 3', async () => {
  const bucket = await freshBucket(gateway);
  await put(bucket, 'in/readme.txt', 'not in a class');
  const noClasses = await runCli(['convert', `s3://${bucket}/in`, '--out', `s3://${bucket}/out`, ...SMALL]);
  assert.equal(noClasses.code, 3, noClasses.stderr);
  assert.match(noClasses.stderr, /expected one prefix per class/);
  const nothing = await runCli(['convert', `s3://${bucket}/nothing-here`, '--out', `s3://${bucket}/out2`, ...SMALL]);
  assert.equal(nothing.code, 3, nothing.stderr);
});

test('keys with spaces, +, unicode and ..: read and stored as their names; dot-prefixed keys ignored as dot files are', async () => {
  await withTempDir(async (dir) => {
    const bucket = await freshBucket(gateway);
    const jpeg = await readFile(join(PHOTOS, 'flowers', (await readdir(join(PHOTOS, 'flowers'))).sort()[0]));
    // A segment starting with "." (`..`, `.hidden`) is a dot file, ignored as on disk; `..` inside a name is an ordinary character pair.
    const names = ['cats/a b.jpg', 'cats/x+y.jpg', 'cats/ünïcödé 猫.jpg', 'cats/x..y.jpg', 'dogs/z..jpg', 'cats/../weird.jpg', 'dogs/..jpg', 'dogs/.hidden.jpg', '.git/config'];
    for (const n of names) await put(bucket, `in/${n}`, jpeg);
    const out = join(dir, 'out');
    const result = await convert({ input: `s3://${bucket}/in`, out, size: '16x16', partitions: 1 });
    assert.equal(result.records, 5, await readFile(join(out, 'skipped.csv'), 'utf8'));
    const stored: string[] = [];
    for await (const r of readRecordsFromFiles([join(out, 'part-00000-of-00001.tfrecord')])) {
      const f = decodeExample(r.data).filename;
      stored.push(Buffer.from((f as { bytes: Uint8Array[] }).bytes[0]).toString('utf8'));
    }
    assert.deepEqual(stored.sort(), ['cats/a b.jpg', 'cats/x+y.jpg', 'cats/x..y.jpg', 'cats/ünïcödé 猫.jpg', 'dogs/z..jpg'].sort());
    assert.equal(await readFile(join(out, 'labels.txt'), 'utf8'), 'cats\ndogs\n');
  });
});

test('an object deleted between the listing and the read: a skip with its reason, not a crash', async () => {
  await withTempDir(async (dir) => {
    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, PHOTOS, 'in/');
    const dataset = await scanBucket(`s3://${bucket}/in`);
    const gone = dataset.files[3];
    await gateway.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `in/${gone.rel}` }));
    const result = await convertListed({ input: `s3://${bucket}/in`, out: join(dir, 'out'), size: '16x16', partitions: 2 }, dataset);
    assert.equal(result.records, dataset.files.length - 1);
    const skipped = await readFile(join(dir, 'out', 'skipped.csv'), 'utf8');
    assert.ok(skipped.includes(`${gone.rel},vanished during the run (NoSuchKey)`), skipped);
  });
});

test('--out under the input prefix: never read as input (a second run gives the same records); --out holding the input: refused (exit 2)', async () => {
  const bucket = await freshBucket(gateway);
  await uploadFolder(gateway, bucket, join(PHOTOS, 'flowers'), 'in/flowers/');
  await uploadFolder(gateway, bucket, join(PHOTOS, 'insects'), 'in/insects/');
  const first = await runCli(['convert', `s3://${bucket}/in`, '--out', `s3://${bucket}/in/out`, ...SMALL, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const again = await runCli(['convert', `s3://${bucket}/in`, '--out', `s3://${bucket}/in/out`, ...SMALL, '--overwrite', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).records, JSON.parse(first.stdout).records);
  assert.ok((await listKeys(gateway, bucket, 'in/out/')).includes('manifest.json'));
  const holding = await runCli(['convert', `s3://${bucket}/in/flowers`, '--out', `s3://${bucket}/in`, ...SMALL]);
  assert.equal(holding.code, 2, holding.stderr);
  assert.match(holding.stderr, /outside the input/);
});

test('an output prefix holding other objects: refused (exit 2), nothing deleted', async () => {
  const bucket = await freshBucket(gateway);
  await put(bucket, 'out/mine.txt', 'keep');
  const r = await runCli(['convert', PHOTOS, '--out', `s3://${bucket}/out`, ...SMALL, '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /not a convert run's \(mine\.txt\)/);
  assert.deepEqual(await listKeys(gateway, bucket, 'out/'), ['mine.txt']);
});
