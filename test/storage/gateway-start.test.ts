/**
 * scripts/s3-gateway.sh under two test suites at once: a port another process holds. A gateway
 * that cannot bind fails the start at once in one line (not after two minutes of "did not
 * answer"); a start that drew a taken port starts again on new ones; and its ports are outside
 * the kernel's ephemeral range, where no outgoing connection takes them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../helpers.js';
import { freePort, nonEphemeralRanges } from '../ports.js';

const exec = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 's3-gateway.sh');

/** A listener on a free port, as another suite's server would hold it. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const port = await freePort();
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { port, server };
}

test('a gateway port held by another process: the start fails at once, in one line naming the bind', { timeout: 100_000 }, async () => {
  const held = await holdPort();
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-s3-held-'));
  try {
    const started = performance.now();
    const failure = await exec('bash', [SCRIPT, 'start', dir], { env: { ...process.env, RGW_PORT: String(held.port) } }).then(
      () => assert.fail('the start succeeded on a port another process holds'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failure.code, 3);
    const lines = failure.stderr.trim().split('\n');
    assert.equal(lines.length, 1, failure.stderr);
    assert.match(lines[0], new RegExp(`could not bind its port: .*127\\.0\\.0\\.1:${held.port}: Address already in use`));
    // Ceph's own start takes about 15 s on 2 cores; the old wait for an answer took 120 s more.
    assert.ok(performance.now() - started < 90_000, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(existsSync(dir), false, 'the failed start removes its folder (its daemons stopped)');
  } finally {
    held.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a start whose first gateway port is taken starts again on new ports outside the ephemeral range', { timeout: 200_000 }, async () => {
  const held = await holdPort();
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-s3-retry-'));
  try {
    await exec('bash', [SCRIPT, 'start', dir], { env: { ...process.env, TRY_RGW_PORT: String(held.port) } });
    const env = await readFile(join(dir, 'env'), 'utf8');
    const port = Number(/AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:(\d+)/.exec(env)?.[1]);
    assert.notEqual(port, held.port);
    assert.ok(nonEphemeralRanges().some(([a, b]) => port >= a && port <= b), `port ${port} is in the ephemeral range`);
    const mon = Number(/mon host = v1:127\.0\.0\.1:(\d+)/.exec(await readFile(join(dir, 'ceph.conf'), 'utf8'))?.[1]);
    assert.ok(nonEphemeralRanges().some(([a, b]) => mon >= a && mon <= b), `monitor port ${mon} is in the ephemeral range`);
    const answer = await fetch(`http://127.0.0.1:${port}`);
    assert.ok(answer.headers.get('x-amz-request-id'), 'an S3 server answers');
    assert.match(await answer.text(), /ListAllMyBucketsResult/);
  } finally {
    held.server.close();
    await exec('bash', [SCRIPT, 'stop', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});
