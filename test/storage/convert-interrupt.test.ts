import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { convert } from '../../src/convert/convert.js';
import { biggerDataset, ROOT, runCli, waitFor, withTempDir } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { getObject, listKeys } from './helpers.js';

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

const ARGS = ['--partitions', '8', '--size', '48x48'];

async function expectedShards(input: string, dir: string): Promise<Map<string, Buffer>> {
  const out = join(dir, 'reference');
  await convert({ input, out, partitions: 8, size: '48x48', workers: 2 });
  const names = (await readdir(out)).filter((n) => /^part-.*\.(tfrecord|idx)$/.test(n)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(out, n))] as const)));
}

async function bucketShards(bucket: string, prefix: string): Promise<Map<string, Buffer>> {
  const names = (await listKeys(gateway, bucket, prefix)).filter((n) => /^part-.*\.(tfrecord|idx)$/.test(n));
  return new Map(await Promise.all(names.map(async (n) => [n, await getObject(gateway, bucket, prefix + n)] as const)));
}

// Part records only (`_parts/<shard>.json`), not the run's start marker `_parts/.started`.
const recordedParts = async (bucket: string, prefix: string) => (await listKeys(gateway, bucket, `${prefix}_parts/`)).filter((k) => k.endsWith('.json')).length;

test('two converts into one prefix: the second is refused (exit 2) while the first holds the lock; kill -9, then --resume gives the uninterrupted bytes', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 3);
    const expected = await expectedShards(input, dir);
    const bucket = await freshBucket(gateway);
    const out = `s3://${bucket}/run`;
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, ...ARGS, '--workers', '1', '--quiet'], { stdio: 'ignore' });
    await waitFor(async () => (await recordedParts(bucket, 'run/')) >= 2);
    // Paused (all its threads), so it is alive and unfinished whatever the machine's load.
    child.kill('SIGSTOP');

    const second = await runCli(['convert', input, '--out', out, ...ARGS, '--resume']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /is in use by convert run/);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const keys = await listKeys(gateway, bucket, 'run/');
    assert.ok(!keys.includes('manifest.json'), 'a killed run has no manifest: nothing looks complete');
    assert.ok(keys.includes('.pipeline.lock'), 'the dead run\'s lock is still there');

    const again = await runCli(['convert', input, '--out', out, ...ARGS]);
    assert.equal(again.code, 2, 'without --resume, an earlier run is not touched');
    assert.match(again.stderr, /add --resume/);

    const resumed = await runCli(['convert', input, '--out', out, ...ARGS, '--workers', '2', '--resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(JSON.parse(resumed.stdout).resumed >= 2);
    assert.deepEqual(await bucketShards(bucket, 'run/'), expected);
    const uploads = await gateway.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);

    // --overwrite deletes only the old run's objects: an unrelated object beside them stays.
    await gateway.client.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: bucket, Key: 'run/notes/keep.txt', Body: 'mine' }));
    const refused = await runCli(['convert', input, '--out', out, ...ARGS, '--overwrite']);
    assert.equal(refused.code, 0, refused.stderr);
    assert.equal(String(await getObject(gateway, bucket, 'run/notes/keep.txt')), 'mine');
    assert.deepEqual(await bucketShards(bucket, 'run/'), expected);
  });
});

test('the endpoint killed mid-convert: exit 3 naming it; started again, --resume gives the uninterrupted bytes', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 3);
    const expected = await expectedShards(input, dir);
    const bucket = await freshBucket(gateway);
    const out = `s3://${bucket}/run`;
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, ...ARGS, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await waitFor(async () => (await recordedParts(bucket, 'run/')) >= 1);
    child.kill('SIGSTOP');
    await gateway.killEndpoint();
    child.kill('SIGCONT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    await gateway.startEndpoint();
    assert.equal(code, 3, stderr);
    assert.match(stderr, /cannot reach the object store \(endpoint http:\/\/127\.0\.0\.1:\d+\)/);
    assert.ok(!stderr.includes(process.env.AWS_SECRET_ACCESS_KEY!), 'no secret in the message');

    const resumed = await runCli(['convert', input, '--out', out, ...ARGS, '--workers', '2', '--resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await bucketShards(bucket, 'run/'), expected);
  });
});

test('SIGINT during a shard\'s multipart upload: exit 130, no unfinished multipart upload left; --resume gives the uninterrupted bytes', async () => {
  await withTempDir(async (dir) => {
    // One shard of 20 large PNG records (~30 MB): above the 16 MiB threshold, so a multipart upload of 8 MiB parts.
    const { cp, mkdir } = await import('node:fs/promises');
    const input = join(dir, 'in');
    await mkdir(join(input, 'flowers'), { recursive: true });
    for (const f of (await readdir(join(ROOT, 'fixtures', 'photos', 'flowers'))).slice(0, 20)) await cp(join(ROOT, 'fixtures', 'photos', 'flowers', f), join(input, 'flowers', f));
    const args = ['--partitions', '1', '--size', '1024x1024', '--format', 'png'];
    const reference = join(dir, 'reference');
    await convert({ input, out: reference, partitions: 1, size: '1024x1024', format: 'png' });
    assert.ok((await readFile(join(reference, 'part-00000-of-00001.tfrecord'))).length > 16 << 20, 'the shard is above the multipart threshold');

    // Each round trip 600 ms longer (a userspace delaying proxy, bench/latency-proxy.ts): the upload's parts are in flight for seconds.
    const target = new URL(gateway.endpoint);
    const proxy = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'latency-proxy.js'), target.hostname, target.port, '600'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = /listening (\d+)/.exec(await new Promise<string>((r) => proxy.stdout!.once('data', (d) => r(String(d)))))![1];
      const bucket = await freshBucket(gateway);
      const out = `s3://${bucket}/run`;
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, ...args, '--workers', '1'], {
        stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      const open = async () => (await gateway.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'run/' }))).Uploads?.length ?? 0;
      await waitFor(async () => (await open()) > 0);
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.equal(await open(), 0, 'the stopped run aborted its multipart upload');
      const keys = await listKeys(gateway, bucket, 'run/');
      assert.ok(!keys.includes('part-00000-of-00001.tfrecord') && !keys.includes('manifest.json'), keys.join(' '));

      const resumed = await runCli(['convert', input, '--out', out, ...args, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      for (const name of ['part-00000-of-00001.tfrecord', 'part-00000-of-00001.idx']) assert.deepEqual(await getObject(gateway, bucket, `run/${name}`), await readFile(join(reference, name)), name);
      assert.equal(await open(), 0);
    } finally {
      proxy.kill();
    }
  });
});
