import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { biggerDataset, ROOT, runChecker, runCli, waitFor, withTempDir } from '../helpers.js';
import { startHeld } from '../handshake.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');


const finalShards = async (out: string) => (await readdir(out).catch(() => [] as string[])).filter((n) => /^part-\d+-of-\d+\.tfrecord$/.test(n));

test('SIGKILL mid-run, then --resume: complete output, byte-identical to an uninterrupted run', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 3);
    const reference = join(dir, 'reference');
    await convert({ input, out: reference, partitions: 10, workers: 2 });

    const out = join(dir, 'out');
    // One thread, 30 images a partition: held at image 75, in the third partition, it cannot finish.
    const run = startHeld(['convert', input, '--out', out, '--partitions', '10', '--workers', '1', '--quiet'], 75);
    await run.held;
    // Killed once the two finished shards are recorded (just after their rename; the run is held, so this comes).
    await waitFor(async () => (await readdir(join(out, '_parts')).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).length >= 2);
    run.child.kill('SIGKILL');
    await run.exit;
    const afterKill = await finalShards(out);
    assert.ok(afterKill.length < 10, 'killed before the end');
    // No file with a final name is incomplete: each one verifies.
    const checked = await runChecker(['check', ...afterKill.map((n) => join(out, n))]);
    assert.equal(checked.code, 0);

    const resumed = await runCli(['convert', input, '--out', out, '--partitions', '10', '--workers', '2', '--resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(JSON.parse(resumed.stdout).resumed >= 2);
    // convert-run/ records each run's hosts: its content differs from run to run by nature.
    const names = (await readdir(reference)).filter((n) => n !== 'convert-run').sort();
    assert.deepEqual((await readdir(out)).filter((n) => n !== 'convert-run').sort(), names, 'same files, no temporary leftovers');
    for (const name of names) assert.ok((await readFile(join(out, name))).equals(await readFile(join(reference, name))), name);
  });
});

test('--resume redoes a shard that was damaged on disk', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    await convert({ input: PHOTOS, out, partitions: 3 });
    const shard = join(out, 'part-00001-of-00003.tfrecord');
    const good = await readFile(shard);
    execFileSync('truncate', ['-s', '1000', shard]);
    const result = await convert({ input: PHOTOS, out, partitions: 3, resume: true });
    assert.equal(result.resumed, 2);
    assert.ok((await readFile(shard)).equals(good));
  });
});

test('SIGINT stops cleanly: exit 130, no temporary files, no partial shard under a final name', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 3);
    const out = join(dir, 'out');
    // Each thread holds at its 5th image, its temporary shard open: SIGINT certainly lands midway.
    const run = startHeld(['convert', input, '--out', out, '--partitions', '10', '--workers', '2', '--quiet'], 5);
    await run.held;
    assert.ok((await readdir(out)).some((n) => n.includes('.tmp-')), 'a temporary shard is being written');
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
    const left = await readdir(out);
    assert.deepEqual(left.filter((n) => n.includes('.tmp-')), []);
    const shards = left.filter((n) => n.endsWith('.tfrecord'));
    if (shards.length) assert.equal((await runChecker(['check', ...shards.map((n) => join(out, n))])).code, 0);
    assert.ok(!left.includes('manifest.json'));
  });
});

test('a full disk is one clear error (exit 3), not a stack trace', async (t) => {
  await withTempDir(async (dir) => {
    const small = join(dir, 'small');
    await mkdir(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      t.skip('cannot mount a small tmpfs here (needs root)');
      return;
    }
    try {
      const result = await runCli(['convert', PHOTOS, '--out', join(small, 'out')]);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /no space left/i);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

test('an output folder that cannot be created is one clear error naming it', async () => {
  const result = await runCli(['convert', PHOTOS, '--out', '/proc/version/out']);
  assert.equal(result.code, 3);
  assert.match(result.stderr, /cannot use output folder \/proc\/version\/out/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('usage errors name the option and what was expected (exit 2)', async () => {
  const bad = await runCli(['convert', PHOTOS, '--out', '/tmp/x', '--size', '192']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--size: expected WxH/);
  const missing = await runCli(['convert', '/nonexistent', '--out', '/tmp/x']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent: expected a folder/);
});
