import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { freePort, startRedis, type RedisServer } from './redis-server.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const BIN = join(ROOT, 'bin', 'pipeline.js');
const PASSWORD = 'pw-Secret-4711';

let redis: RedisServer;
before(async () => {
  redis = await startRedis(undefined, { password: PASSWORD });
});
after(async () => {
  await redis?.stop();
});

/** Every file below `dir`, as text. */
async function allText(dir: string): Promise<string> {
  let text = '';
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    text += (await stat(path)).isDirectory() ? await allText(path) : await readFile(path, 'latin1');
  }
  return text;
}

test('a missing or wrong Redis password is exit 2 with one line, the password never shown', async () => {
  const none = await runCli(['convert', PHOTOS, '--out', '/tmp/never-written', '--redis', `redis://127.0.0.1:${redis.port}`]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /^pipeline: --redis: Redis at redis:\/\/127\.0\.0\.1:\d+ requires a password \(NOAUTH\)/);
  const wrong = await runCli(['speedtest', '--images', PHOTOS, '--out', '/tmp/never-written', '--redis', `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`]);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /^pipeline: --redis: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the password \(WRONGPASS\)/);
  assert.ok(!wrong.stderr.includes(PASSWORD));
  assert.equal(wrong.stderr.trim().split('\n').length, 1);
  const worker = await runCli(['worker', '--redis', `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`]);
  assert.equal(worker.code, 2, worker.stderr);
  assert.ok(!worker.stderr.includes(PASSWORD));
});

test('a port that is not Redis is exit 2 saying so', async () => {
  const server = createServer((socket) => socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  try {
    const result = await runCli(['convert', PHOTOS, '--out', '/tmp/never-written', '--redis', `redis://127.0.0.1:${port}`]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the server at redis:\/\/127\.0\.0\.1:\d+ is not Redis/);
  } finally {
    server.close();
  }
});

test('the password is *** in logs, --json, manifest and run.json of a cluster run', async () => {
  await withTempDir(async (dir) => {
    const worker = spawn(process.execPath, [BIN, 'worker', '--redis', redis.url, '--workers', '1', '--lock-ms', '3000']);
    let workerLog = '';
    worker.stderr.on('data', (d) => (workerLog += d));
    try {
      const out = join(dir, 'out');
      const converted = await runCli(['convert', PHOTOS, '--out', out, '--partitions', '2', '--size', '32x32', '--redis', redis.url, '--json']);
      assert.equal(converted.code, 0, converted.stderr);
      assert.equal(JSON.parse(converted.stdout).cluster.redis, `redis://:***@127.0.0.1:${redis.port}`);
      const run = join(dir, 'run');
      const measured = await runCli(['speedtest', '--tfrecords', out, '--out', run, '--batch-sizes', '4', '--batch-numbers', '2', '--repetitions', '1', '--redis', redis.url, '--json']);
      assert.equal(measured.code, 0, measured.stderr);
      const runJson = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
      assert.equal(runJson.executor.redis, `redis://:***@127.0.0.1:${redis.port}`);
      for (const [what, text] of [['convert', converted.stdout + converted.stderr], ['speedtest', measured.stdout + measured.stderr], ['output folder', await allText(out)], ['run folder', await allText(run)]]) {
        assert.ok(!text.includes(PASSWORD), `${what} shows the password`);
      }
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    assert.match(workerLog, /taking jobs from redis:\/\/:\*\*\*@127\.0\.0\.1/);
    assert.ok(!workerLog.includes(PASSWORD));
  });
});

test('a password given as ?password= is used and shown as *** in errors, logs, --json and run files', async () => {
  const wrong = await runCli(['convert', PHOTOS, '--out', '/tmp/never-written', '--redis', `redis://127.0.0.1:${redis.port}?password=wrong-${PASSWORD}`]);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /Redis at redis:\/\/127\.0\.0\.1:\d+\?password=\*\*\* refused the password/);
  assert.ok(!wrong.stderr.includes(PASSWORD));
  await withTempDir(async (dir) => {
    const url = `redis://127.0.0.1:${redis.port}?password=${PASSWORD}`;
    const worker = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--workers', '1', '--lock-ms', '3000']);
    let workerLog = '';
    worker.stderr.on('data', (d) => (workerLog += d));
    try {
      const out = join(dir, 'out');
      const converted = await runCli(['convert', PHOTOS, '--out', out, '--partitions', '2', '--size', '32x32', '--redis', url, '--json']);
      assert.equal(converted.code, 0, converted.stderr);
      assert.equal(JSON.parse(converted.stdout).cluster.redis, `redis://127.0.0.1:${redis.port}?password=***`);
      assert.ok(!(converted.stdout + converted.stderr + (await allText(out))).includes(PASSWORD));
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    assert.match(workerLog, /taking jobs from redis:\/\/127\.0\.0\.1:\d+\?password=\*\*\*/);
    assert.ok(!workerLog.includes(PASSWORD));
  });
});
