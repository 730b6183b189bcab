/** IndexCheck walks the index text line by line: what it accepts and the first wrong line it names. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { IndexCheck } from '../../src/tfrecord/index-check.js';
import { withTempDir } from '../helpers.js';

/** Records of 100, 200 and 300 bytes framed at 0, 100, 300: what the index must say. */
const FRAMES: [number, number][] = [[0, 100], [100, 200], [300, 300]];

async function check(text: string): Promise<{ line: number; error: string } | undefined> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'a.idx');
    await writeFile(path, text);
    const index = await IndexCheck.open(path);
    FRAMES.forEach(([offset, bytes], i) => index.frame(i, offset, bytes));
    const wrong = index.end();
    return wrong && { line: wrong.line, error: wrong.error };
  });
}

test('an index that matches: with or without a final newline, blanks or CR around a line', async () => {
  for (const text of ['0 100\n100 200\n300 300\n', '0 100\n100 200\n300 300', '0 100\r\n100 200\r\n300 300\r\n', ' 0 100\n100 200 \n300 300\n']) {
    assert.equal(await check(text), undefined, JSON.stringify(text));
  }
});

test('the first wrong line, with what was expected and what came', async () => {
  assert.deepEqual(await check('0 100\n100 201\n300 300\n'), { line: 2, error: 'expected "100 200" for record 1, got "100 201"' });
  assert.deepEqual(await check('0 100\n0100 200\n300 300\n'), { line: 2, error: 'expected "100 200" for record 1, got "0100 200"' });
  assert.deepEqual(await check('0 100\n100 200\n'), { line: 3, error: 'missing: expected "300 300" for record 2, the index ends' });
  assert.deepEqual(await check('0 100\n100 200\n300 300\n600 1\n'), { line: 4, error: 'the shard has 3 records, the index has more lines: "600 1"' });
  assert.deepEqual(await check('0 100\n100 200\n300 300\n\n'), { line: 4, error: 'the shard has 3 records, the index has more lines: ""' });
  assert.deepEqual(await check(''), { line: 1, error: 'missing: expected "0 100" for record 0, the index ends' });
});
