/**
 * Names and paths that would put a run's files somewhere else: `convert --split --name` and a
 * pipeline file's `output` follow the rules of `--out` (exit 2, nothing written).
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

test('convert --split --name with a path in it: exit 2, nothing written outside --out', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'a', 'b', 'out');
    for (const name of ['../../x', 'a/b', '..', '.hidden', 'line\u2028break', '']) {
      const result = await runCli(['convert', PHOTOS, '--out', out, '--split', 'train=0.5,val=0.5', '--name', name, '--size', '16x16']);
      assert.equal(result.code, 2, `--name ${JSON.stringify(name)}: ${result.stderr}`);
      assert.match(result.stderr, /--name: expected a dataset name/);
    }
    assert.deepEqual(await readdir(dir), [], 'nothing written');
  });
});

test('a pipeline file whose output is "/", the input itself or inside it: exit 2 naming the field', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'data');
    await mkdir(join(input, 'cats'), { recursive: true });
    for (const output of ['/', './data', './data/runs']) {
      const file = join(dir, 'p.json');
      await writeFile(file, JSON.stringify({ name: 'p', input: './data', output, convert: { size: '16x16' }, speedtest: { batchSizes: [1], batchNumbers: [1], repetitions: [1] } }));
      const result = await runCli(['run', file]);
      assert.equal(result.code, 2, `output ${output}: ${result.stderr}`);
      assert.match(result.stderr, /output: expected a folder (of its own|outside the input dataset)/);
    }
    assert.deepEqual(await readdir(input), ['cats'], 'nothing written into the dataset');
  });
});
