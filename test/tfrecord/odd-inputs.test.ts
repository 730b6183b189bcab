import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { GOLDEN, runCli, withTempDir } from '../helpers.js';

test('inspect /dev/zero --verify is exit 2 (not a regular file), not "0 records, exit 0"', async () => {
  const r = await runCli(['inspect', '/dev/zero', '--verify']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /\/dev\/zero: not a regular file/);
});

test('a broken gzip stream names the first record it could not give and its uncompressed offset, never -1', async () => {
  await withTempDir(async (dir) => {
    const gz = Buffer.from(gzipSync(await readFile(join(GOLDEN, 'varied.tfrecord'))));
    gz[gz.length - 6] ^= 0xff; // the trailer's CRC: every record inflates, the stream's check fails
    const file = join(dir, 'broken.tfrecord.gz');
    await writeFile(file, gz);
    const r = await runCli(['inspect', file, '--verify', '--json']);
    assert.equal(r.code, 3, r.stderr);
    const [error] = JSON.parse(r.stdout).errors;
    assert.ok(error.offset >= 0 && error.record >= 0, JSON.stringify(error));
    assert.match(error.error, /gzip stream broken after \d+ complete record\(s\) \(at uncompressed byte \d+\)/);
  });
});
