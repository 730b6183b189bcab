import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRecordFiles } from '../../src/tfrecord/files.js';
import { GOLDEN, runCli, withTempDir } from '../helpers.js';

test('glob metacharacters: an unclosed "[" matches nothing (exit 2), not a RegExp SyntaxError (exit 1)', async () => {
  await withTempDir(async (dir) => {
    const r = await runCli(['inspect', join(dir, 'x[1')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no file matches this pattern/);
    assert.doesNotMatch(r.stderr, /SyntaxError|\n\s+at /);
  });
});

test('globs: classes, stars in folders, hidden names only when named, a file whose name holds brackets', async () => {
  await withTempDir(async (dir) => {
    const golden = join(GOLDEN, 'varied.tfrecord');
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, '.hidden'));
    for (const name of ['a/x.tfrecord', 'b.tfrecord', 'c.tfrecord', '.hidden/y.tfrecord', 'odd[1].tfrecord']) await copyFile(golden, join(dir, name));
    const names = async (pattern: string) => (await findRecordFiles([join(dir, pattern)])).files.map((f) => f.slice(dir.length + 1));
    assert.deepEqual(await names('[ab]*.tfrecord'), ['b.tfrecord']);
    assert.deepEqual(await names('*/*.tfrecord'), ['a/x.tfrecord']);
    assert.deepEqual(await names('.hidden/*'), ['.hidden/y.tfrecord']);
    // An existing path is taken as it is, brackets and all.
    assert.deepEqual(await names('odd[1].tfrecord'), ['odd[1].tfrecord']);
  });
});
