/**
 * A worker of another build (here: this build with one code file changed, as a locally edited copy
 * or another release would be) refuses the driver's jobs: the driver stops with exit 3 and one line
 * saying which part of the build differs, quickly (no retries), and no shard is written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, cp, mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis(undefined, { password: 'other-build-secret' });
});
after(async () => {
  await redis?.stop();
});

/** A copy of the built tool with one comment added to a code file: the same version, another build. */
async function otherBuild(dir: string): Promise<string> {
  const root = join(dir, 'other-build');
  await mkdir(join(root, 'dist'), { recursive: true });
  await cp(join(ROOT, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  await cp(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  await cp(join(ROOT, 'package.json'), join(root, 'package.json'));
  for (const shared of ['node_modules', 'wasm']) await symlink(join(ROOT, shared), join(root, shared));
  await appendFile(join(root, 'dist', 'src', 'convert', 'image.js'), '\n// a locally edited copy\n');
  return join(root, 'bin', 'pipeline.js');
}

test('a worker of another build: the driver exits 3 saying the builds differ, no shard written', async () => {
  await withTempDir(async (dir) => {
    const bin = await otherBuild(dir);
    const worker = spawn(process.execPath, [bin, 'worker', '--redis', redis.url, '--workers', '1', '--quiet'], { stdio: 'ignore' });
    try {
      const out = join(dir, 'out');
      const driver = await runCli(['convert', join(ROOT, 'fixtures', 'photos'), '--out', out, '--partitions', '2', '--size', '16x16', '--redis', redis.url]);
      assert.equal(driver.code, 3, driver.stderr);
      assert.match(driver.stderr, /refused by the worker: the driver's build differs from this worker's \(code [0-9a-f]{16} on the driver, [0-9a-f]{16} here\)/);
      assert.deepEqual((await readdir(out)).filter((n) => n.includes('.tfrecord')), []);
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
  });
});
