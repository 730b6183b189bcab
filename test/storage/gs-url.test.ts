/**
 * gs:// end to end, configured as for Cloud Storage's S3-compatible XML API: the endpoint given by
 * --endpoint (no AWS_ENDPOINT_URL, no region: gs:// signs for region "auto"), HMAC keys as the
 * access key id and secret. There is no Cloud Storage here: the endpoint is the test's Ceph RGW,
 * which answers the same XML API. convert gs:// -> gs:// gives the local convert's bytes; inspect
 * --verify and speedtest read the bucket; the secret appears nowhere.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { getObject, listKeys, uploadFolder } from './helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => gateway?.stop());

/** A child's environment as a Cloud Storage user's: HMAC keys only; the endpoint comes from --endpoint. */
function gcsEnvironment(): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: gateway.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: gateway.env.AWS_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_S3: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    PIPELINE_TEST_S3_ENDPOINT: undefined,
  };
}

test('gs:// with a Cloud-Storage-style endpoint and HMAC keys: convert gives the local bytes; inspect --verify and speedtest read it; no secret printed or stored', async () => {
  await withTempDir(async (dir) => {
    const local = join(dir, 'local');
    await convert({ input: PHOTOS, out: local, partitions: 3, size: '64x64', workers: 2 });
    const bucket = await freshBucket(gateway, 'gcs');
    await uploadFolder(gateway, bucket, PHOTOS, 'photos/');
    const endpoint = ['--endpoint', gateway.endpoint];
    const env = gcsEnvironment();
    const secret = gateway.env.AWS_SECRET_ACCESS_KEY;

    const converted = await runCli(['convert', `gs://${bucket}/photos`, '--out', `gs://${bucket}/shards`, '--partitions', '3', '--size', '64x64', '--json', ...endpoint], { env });
    assert.equal(converted.code, 0, converted.stderr);
    assert.equal(JSON.parse(converted.stdout).out, `gs://${bucket}/shards`);
    const names = (await readdir(local)).filter((n) => /^part-.*\.(tfrecord|idx)$/.test(n)).sort();
    assert.equal(names.length, 6);
    assert.deepEqual((await listKeys(gateway, bucket, 'shards/')).filter((n) => /^part-/.test(n)), names);
    for (const name of names) assert.ok((await getObject(gateway, bucket, `shards/${name}`)).equals(await readFile(join(local, name))), `${name}: the local convert's bytes`);

    const inspected = await runCli(['inspect', `gs://${bucket}/shards`, '--verify', '--json', ...endpoint], { env });
    assert.equal(inspected.code, 0, inspected.stderr);

    const run = join(dir, 'run');
    const speed = await runCli(
      ['speedtest', '--images', `gs://${bucket}/photos`, '--tfrecords', `gs://${bucket}/shards`, '--out', run, '--batch-sizes', '8', '--batch-numbers', '2', '--repetitions', '1', '--warmup', '0', '--workers', '1', '--quiet', ...endpoint],
      { env },
    );
    assert.equal(speed.code, 0, speed.stderr);
    const runJson = await readFile(join(run, 'run.json'), 'utf8');
    assert.ok(JSON.parse(runJson).objectStorage?.requests?.get > 0 || /"get":\s*[1-9]/.test(runJson), 'GETs counted in run.json');

    for (const [what, text] of [['convert', converted.stdout + converted.stderr], ['inspect', inspected.stdout + inspected.stderr], ['speedtest', speed.stdout + speed.stderr], ['run.json', runJson]]) {
      assert.ok(!text.includes(secret), `${what}: the secret key is not printed or stored`);
    }
  });
});
