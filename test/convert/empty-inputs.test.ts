import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { ROOT, withTempDir } from '../helpers.js';

test('2,500 empty files beside one image: one shard with the image, the empty files skipped (not 3 shards, 2 of them empty)', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'a'), { recursive: true });
    const flowers = join(ROOT, 'fixtures', 'photos', 'flowers');
    const photo = (await readdir(flowers)).find((n) => /\.jpe?g$/i.test(n))!;
    await copyFile(join(flowers, photo), join(input, 'a', photo));
    for (let i = 0; i < 2500; i++) await writeFile(join(input, 'a', `empty-${i}.jpg`), '');
    const out = join(dir, 'out');
    const result = await convert({ input, out });
    assert.equal(result.records, 1);
    assert.equal(result.shards, 1);
    assert.equal(result.skipped, 2500);
    assert.deepEqual((await readdir(out)).filter((n) => n.endsWith('.tfrecord')), ['part-00000-of-00001.tfrecord']);
  });
});
