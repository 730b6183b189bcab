/** `report RUN_A --out RUN_B`: another run's folder is refused (exit 2) and left as it was. */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';
import { smallRun } from './small-run.js';

test('report RUN_A --out RUN_B (another speed-test run, or a convert output) is exit 2; a new folder is fine', async () => {
  await withTempDir(async (dir) => {
    const a = await smallRun(join(dir, 'a'), [1]);
    const b = await smallRun(join(dir, 'b'), [1]);
    const own = await runCli(['report', b]);
    assert.equal(own.code, 0, own.stderr);
    const before = await readFile(join(b, 'summary.md'), 'utf8');
    const refused = await runCli(['report', a, '--out', b]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--out: .* holds another speedtest run/);
    assert.equal(await readFile(join(b, 'summary.md'), 'utf8'), before, "the other run's report is untouched");

    const converted = join(dir, 'converted');
    await convert({ input: join(ROOT, 'fixtures', 'photos'), out: converted, size: '16x16' });
    const onConvert = await runCli(['report', a, '--out', converted]);
    assert.equal(onConvert.code, 2, onConvert.stderr);
    assert.ok(!(await readdir(converted)).includes('summary.md'));

    const fresh = await runCli(['report', a, '--out', join(dir, 'fresh')]);
    assert.equal(fresh.code, 0, fresh.stderr);
    const again = await runCli(['report', a, '--out', join(dir, 'fresh')]);
    assert.equal(again.code, 0, 'a folder holding only a report is rewritten');
  });
});
