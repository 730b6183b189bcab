/**
 * convert with big JPEGs (and PNGs) decoded on libuv's pool (src/convert/partition-task.ts keeps a few in
 * flight): the same shards, skipped.csv and fingerprints as a run forced onto the decode on the
 * worker thread (PIPELINE_SYNC_JPEG=1, the path before it), on 1 and 2 workers, one partition and
 * two; cut and corrupt big JPEGs are still skips, and --strict still exit 3.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const photo = (name: string, i: number) => join(ROOT, 'fixtures', 'photos', name, `${name}-00${i}.jpg`);

/** Cut in the middle of its scan, the end-of-image marker put back: only libjpeg sees the damage. */
const cutWithEoi = (jpeg: Buffer) => Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length / 2)), Buffer.from([0xff, 0xd9])]);

/** The first Huffman table's code counts destroyed: an error to libjpeg (and to sharp). */
function corruptTables(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const dht = jpeg.indexOf(Buffer.from([0xff, 0xc4]));
  out.fill(0xff, dht + 5, dht + 21);
  return out;
}

/** Big photos of several sizes (over ASYNC_DECODE_MIN_PIXELS), small ones between them, two big PNGs, a cut and a corrupt big JPEG. */
async function dataset(input: string): Promise<void> {
  const sizes = [[2000, 1500], [4032, 3024], [1800, 1200], [3000, 2000], [1200, 1800], [2592, 1944], [5000, 3000], [1600, 1200]];
  for (const [i, [w, h]] of sizes.entries()) {
    const dir = join(input, `c${i % 2}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `big-${i}.jpg`), await sharp(photo('flowers', i)).resize(w, h, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer());
    // Small ones in between: decoded on the worker thread, in order among the big ones.
    await writeFile(join(dir, `small-${i}.jpg`), await sharp(photo('water', i)).resize(500, 375, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer());
  }
  // Big PNGs take the same path (native/png-decode.c's decodePngAsync).
  await writeFile(join(input, 'c0', 'big.png'), await sharp(photo('textures', 0)).resize(1800, 1200, { fit: 'fill' }).png().toBuffer());
  await writeFile(join(input, 'c1', 'big-alpha.png'), await sharp(photo('textures', 1)).resize(1500, 1200, { fit: 'fill' }).ensureAlpha(0.7).png().toBuffer());
  const good = await sharp(photo('insects', 0)).resize(3000, 2000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  await writeFile(join(input, 'c0', 'cut.jpg'), cutWithEoi(good));
  await writeFile(join(input, 'c1', 'corrupt.jpg'), corruptTables(good));
}

/** A convert run's shards (name and bytes), skipped.csv and shard fingerprints. */
async function run(input: string, out: string, workers: number, partitions: number, env: NodeJS.ProcessEnv) {
  const result = await runCli(['convert', input, '--out', out, '--workers', String(workers), '--partitions', String(partitions), '--quiet'], { env });
  assert.equal(result.code, 0, result.stderr);
  const names = (await readdir(out)).filter((n) => n.endsWith('.tfrecord')).sort();
  const shards = await Promise.all(names.map(async (n) => [n, (await readFile(join(out, n))).toString('base64')] as const));
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { shards: { fingerprint: string }[] };
  return { shards, skipped: await readFile(join(out, 'skipped.csv'), 'utf8'), fingerprints: manifest.shards.map((s) => s.fingerprint) };
}

const OFF_THREAD = { PIPELINE_SYNC_JPEG: '' };
const ON_THREAD = { PIPELINE_SYNC_JPEG: '1' };

test('big JPEGs decoded off the worker thread: the bytes of the decode on it, on 1 and 2 workers, one partition and two', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await dataset(input);
    for (const partitions of [1, 2]) {
      const reference = await run(input, join(dir, `on-${partitions}`), 1, partitions, ON_THREAD);
      assert.equal(reference.shards.length, partitions);
      assert.match(reference.skipped, /c0\/cut\.jpg,"?truncated image: /);
      assert.match(reference.skipped, /c1\/corrupt\.jpg,"?corrupt image: /);
      for (const workers of [1, 2]) {
        const offThread = await run(input, join(dir, `off-${partitions}-${workers}`), workers, partitions, OFF_THREAD);
        assert.deepEqual(offThread, reference, `${partitions} partition(s), ${workers} worker(s)`);
      }
    }
  });
});

test('--strict with a cut big JPEG decoded off the thread: skipped.csv names it, exit 3', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    const good = await sharp(photo('insects', 1)).resize(3000, 2000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    await writeFile(join(input, 'a', 'good.jpg'), good);
    await writeFile(join(input, 'a', 'cut.jpg'), cutWithEoi(good));
    const result = await runCli(['convert', input, '--out', join(dir, 'out'), '--strict', '--json'], { env: OFF_THREAD });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr.trim().split('\n').filter((l) => l.startsWith('pipeline:')).length, 1, result.stderr);
    assert.match(await readFile(join(dir, 'out', 'skipped.csv'), 'utf8'), /a\/cut\.jpg,"?truncated image: /);
  });
});
