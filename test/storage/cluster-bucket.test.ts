import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from '../cluster/redis-server.js';
import { freshBucket, startGateway, type Gateway } from './gateway.js';
import { getObject, listKeys, uploadFolder } from './helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const BIN = join(ROOT, 'bin', 'pipeline.js');

let gateway: Gateway;
let redis: RedisServer;
before(async () => {
  gateway = await startGateway();
  redis = await startRedis(undefined, { password: 'cluster-secret-19' });
});
after(async () => {
  await redis?.stop();
  await gateway?.stop();
});

test('cluster convert with no shared folder: 2 workers read the bucket and write shards to it, the local convert\'s bytes', async () => {
  await withTempDir(async (dir) => {
    await convert({ input: PHOTOS, out: join(dir, 'local'), partitions: 4, size: '32x32', workers: 2 });
    const bucket = await freshBucket(gateway);
    await uploadFolder(gateway, bucket, PHOTOS, 'photos/');
    // Each worker has a folder of its own (cwd and TMPDIR): nothing on disk is shared with the driver.
    const workers: ChildProcess[] = [];
    for (const name of ['w1', 'w2']) {
      const home = join(dir, name);
      await mkdir(home);
      workers.push(spawn(process.execPath, [BIN, 'worker', '--redis', redis.url, '--workers', '1', '--quiet'], { cwd: home, env: { ...process.env, TMPDIR: home }, stdio: 'ignore' }));
    }
    try {
      const r = await runCli(['convert', `s3://${bucket}/photos`, '--out', `s3://${bucket}/shards`, '--partitions', '4', '--size', '32x32', '--redis', redis.url, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).cluster.mode, 'cluster');
      assert.ok(!r.stdout.includes('cluster-secret-19') && !r.stderr.includes('cluster-secret-19'));
    } finally {
      await Promise.all(workers.map(async (w) => {
        if (w.exitCode !== null) return;
        w.kill('SIGTERM');
        await once(w, 'exit');
      }));
    }
    const names = (await readdir(join(dir, 'local'))).filter((n) => /^part-/.test(n)).sort();
    assert.deepEqual((await listKeys(gateway, bucket, 'shards/')).filter((n) => /^part-/.test(n)), names);
    for (const n of names) assert.ok((await getObject(gateway, bucket, `shards/${n}`)).equals(await readFile(join(dir, 'local', n))), n);
  });
});
