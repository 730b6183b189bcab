/** The tests' own TFRecord checker is itself checked: it must reproduce the golden expected JSON byte for byte. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CHECKER, GOLDEN, PYTHON, runChecker } from '../helpers.js';

const exec = promisify(execFile);

for (const [file, flag, expected] of [
  ['tensorflow-singles.tfrecord', [], 'tensorflow-singles.expected.json'],
  ['varied.tfrecord', [], 'varied.expected.json'],
  ['varied.tfrecord.gz', ['--gzip'], 'varied.expected.json'],
  ['varied.tfrecord.zlib', ['--zlib'], 'varied.expected.json'],
] as const) {
  test(`checker: ${file} --dump prints exactly ${expected}`, async () => {
    // Run from the golden folder: the output names no path when there are no errors, but keep it short anyway.
    const { stdout } = await exec(PYTHON, [CHECKER, 'check', file, ...flag, '--dump'], { cwd: GOLDEN, maxBuffer: 1 << 26 });
    assert.equal(stdout, await readFile(join(GOLDEN, expected), 'utf8'));
  });
}

for (const [file, error, record, offset] of [
  ['corrupt-data-crc.tfrecord', 'data crc mismatch', 1, 79],
  ['corrupt-length.tfrecord', 'length crc mismatch', 1, 79],
  ['truncated.tfrecord', 'truncated record', 4, 334],
] as const) {
  test(`checker: ${file} is exit 1 with "${error}" at record ${record}, offset ${offset}`, async () => {
    const path = join(GOLDEN, file);
    const { json, code } = await runChecker(['check', path]);
    assert.equal(code, 1);
    assert.deepEqual(json.errors, [{ file: path, offset, record, error }]);
  });
}

test('checker: an empty file is zero records and exit 0', async () => {
  const { json, code } = await runChecker(['check', join(GOLDEN, 'empty.tfrecord')]);
  assert.equal(code, 0);
  assert.deepEqual(json, { files: 1, records: 0, bytes: 0, features: {}, errors: [] });
});
